"""POST a JSON document to a webhook, retried a few times with backoff on 429, 5xx and connection errors.

The URL of an incoming webhook is its credential: it is never shown (callers show :func:`label`) and
redirects are not followed (the payload goes to the URL given, or nowhere).
"""

from __future__ import annotations

import http.client
import json
import random
import time
import urllib.error
import urllib.request
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from cloudaudit import __version__
from cloudaudit.collect.retry import retry_seconds
from cloudaudit.errors import CloudauditError
from cloudaudit.terminal import printable

ATTEMPTS = 4
FIRST_DELAY = 1.0
"""Seconds before the second attempt; doubled each time (with jitter)."""
BUDGET = 30.0
"""At most this many seconds of waiting between attempts (less with a smaller CLOUDAUDIT_RETRY_SECONDS)."""
TIMEOUT = 15.0
"""Seconds one attempt may take."""


class NotifyError(CloudauditError):
    """A notification could not be delivered (reported; the audit's exit code is unchanged)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None  # the 3xx is raised as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirect)


def label(url: str, kind: str = "webhook") -> str:
    """``webhook (example.com)``: how a webhook is named in messages (its path and query are the secret)."""
    return f"{kind} ({printable(urlsplit(url).hostname or '?', limit=80)})"


def post_json(url: str, payload: dict[str, Any]) -> None:
    """POST ``payload``; retried on 429 (``Retry-After`` honoured within the budget), 5xx and connection
    errors; NotifyError with the cause once the attempts or the budget are spent, or on another answer."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "User-Agent": f"cloudaudit/{__version__}"}
    budget = min(BUDGET, retry_seconds())
    waited = 0.0
    for attempt in range(1, ATTEMPTS + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with _OPENER.open(request, timeout=TIMEOUT) as answer:
                answer.read(4096)
                return
        except urllib.error.HTTPError as exc:
            cause = f"HTTP {exc.code}{_detail(exc)}"
            if exc.code != 429 and exc.code < 500:
                raise NotifyError(cause) from None
            delay = _retry_after(exc.headers) or _backoff(attempt)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            cause = printable(f"connection failed: {reason}", limit=160)
            delay = _backoff(attempt)
        if attempt == ATTEMPTS or waited + delay > budget:
            raise NotifyError(f"{cause} (after {attempt} attempt{'s' if attempt > 1 else ''})")
        time.sleep(delay)
        waited += delay


def _detail(exc: urllib.error.HTTPError) -> str:
    """Slack answers a short reason (``invalid_token``, ``no_service``): worth showing, cut and escaped."""
    try:
        text = exc.read(200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({printable(text, limit=80)})" if text else ""


def _backoff(attempt: int) -> float:
    return FIRST_DELAY * float(2 ** (attempt - 1)) * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not crypto)


def _retry_after(headers: Message | None) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff is used instead
