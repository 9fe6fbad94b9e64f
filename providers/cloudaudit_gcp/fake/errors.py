"""Google JSON API error bodies (``{"error": {"code", "message", "errors": [...], "status", "details"}}``)."""

from __future__ import annotations

from cloudaudit_gcp.fake.shapes import JSON

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def error_body(
    code: int, message: str, reason: str, domain: str = "global", details: list[JSON] | None = None
) -> JSON:
    """The error envelope the v1 JSON APIs send (google-api-core and googleapiclient both parse it)."""
    error: JSON = {
        "code": code,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
        "status": STATUS_NAMES.get(code, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


class ApiError(Exception):
    """An error answer: status, Google error body and extra headers."""

    def __init__(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        super().__init__(body["error"]["message"])
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(what: str) -> ApiError:
    """404 ``notFound`` as Compute/Storage word it."""
    return ApiError(404, error_body(404, f"The resource '{what}' was not found", "notFound"))


def bad_request(message: str, reason: str = "invalid") -> ApiError:
    """400 with the given reason (``invalid``, ``required``...)."""
    return ApiError(400, error_body(400, message, reason))
