"""Fault injection: answer matching routes with a real Google error for every call or the first N calls."""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field

from cloudaudit_gcp.fake.errors import ApiError, error_body
from cloudaudit_gcp.fake.shapes import JSON

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass
class Fault:
    """An error answer; ``times=None`` answers it forever, ``times=N`` for the first N matching calls."""

    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None

    @classmethod
    def service_disabled(
        cls, service: str, project_number: str = "123456789012", times: int | None = None
    ) -> Fault:
        """403 ``accessNotConfigured`` / ErrorInfo ``SERVICE_DISABLED``: the API is off in the project."""
        message = (
            f"{service} API has not been used in project {project_number} before or it is disabled. "
            f"Enable it by visiting https://console.developers.google.com/apis/api/{service}/overview"
            f"?project={project_number} then retry."
        )
        details: list[JSON] = [
            {
                "@type": ERROR_INFO,
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {"service": service, "consumer": f"projects/{project_number}"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Google developers console API activation",
                        "url": f"https://console.developers.google.com/apis/api/{service}/overview?project={project_number}",
                    }
                ],
            },
        ]
        body = error_body(403, message, "accessNotConfigured", domain="usageLimits", details=details)
        return cls(403, body, times=times)

    @classmethod
    def permission_denied(cls, permission: str, resource: str = "", times: int | None = None) -> Fault:
        """403 ``forbidden`` / ErrorInfo ``IAM_PERMISSION_DENIED``: the caller lacks ``permission``."""
        message = f"Required '{permission}' permission for '{resource}'"
        details: list[JSON] = [
            {
                "@type": ERROR_INFO,
                "reason": "IAM_PERMISSION_DENIED",
                "domain": "iam.googleapis.com",
                "metadata": {"permission": permission},
            }
        ]
        return cls(403, error_body(403, message, "forbidden", details=details), times=times)

    @classmethod
    def too_many_requests(cls, times: int | None = 1, retry_after: int = 1) -> Fault:
        """429 ``rateLimitExceeded`` with Retry-After."""
        body = error_body(
            429, "Quota exceeded for quota metric 'Queries'.", "rateLimitExceeded", "usageLimits"
        )
        return cls(429, body, {"Retry-After": str(retry_after)}, times)

    @classmethod
    def server_error(cls, status: int = 503, times: int | None = 1) -> Fault:
        """5xx: 503 ``backendError`` by default."""
        reason = "backendError" if status != 500 else "internalError"
        return cls(status, error_body(status, "The service is currently unavailable.", reason), times=times)


class FaultTable:
    """Faults by route pattern (fnmatch over discovery method ids, e.g. ``compute.*``, ``sql.users.list``)."""

    def __init__(self) -> None:
        self._faults: list[tuple[str, str | None, Fault]] = []
        self._lock = threading.Lock()

    def add(self, pattern: str, fault: Fault, project: str | None = None) -> None:
        """Inject ``fault`` on routes matching ``pattern`` (only for ``project``, id or number)."""
        with self._lock:
            self._faults.append((pattern, project, fault))

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def raise_for(self, route: str, project_keys: frozenset[str]) -> None:
        """Raise the first live fault for ``route`` and the call's project, using up one of its ``times``."""
        with self._lock:
            for pattern, project, fault in self._faults:
                if not fnmatch.fnmatchcase(route, pattern) or fault.times == 0:
                    continue
                if project is not None and project not in project_keys:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                raise ApiError(fault.status, fault.body, dict(fault.headers))
