"""The one error the SDK raises, and how an API answer becomes one."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, List, Mapping, Optional

#: `code` of a LayersError raised when the request never got an answer (refused, reset, DNS...).
NETWORK_ERROR = "NETWORK_ERROR"
#: `code` of a LayersError raised when the server did not answer within the timeout.
TIMEOUT = "TIMEOUT"
#: `code` of a LayersError raised for a 2xx answer that is not the JSON the API sends.
INVALID_RESPONSE = "INVALID_RESPONSE"
#: `code` of a WebhookVerificationError.
WEBHOOK_VERIFICATION_FAILED = "WEBHOOK_VERIFICATION_FAILED"


class LayersError(Exception):
    """An API call that did not succeed.

    - ``status``: the HTTP status, or 0 when no answer arrived (``NETWORK_ERROR``, ``TIMEOUT``).
    - ``code``: the API's error code (``VALIDATION``, ``UNAUTHENTICATED``, ``FORBIDDEN_SCOPE``,
      ``NOT_FOUND``, ``RATE_LIMITED``, ...) or one of the SDK's own (``NETWORK_ERROR``, ``TIMEOUT``).
    - ``message``: the API's sentence saying what to do.
    - ``request_id``: the ``req_...`` id to quote to the operator (the body's, else ``X-Request-Id``).
    - ``issues``: on ``VALIDATION``, a list of ``{"path", "message"}`` dicts; otherwise None.
    - ``retry_after``: seconds the server asked to wait (``Retry-After``), else None.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = NETWORK_ERROR,
        request_id: Optional[str] = None,
        issues: Optional[List[Dict[str, Any]]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.issues = issues
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        if self.status:
            text = f"{self.status} {text}"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r}, request_id={self.request_id!r})"


class WebhookVerificationError(LayersError, ValueError):
    """A webhook delivery that must not be trusted: a missing header, a timestamp more
    than the tolerance away from now, or no signature made with the secret.

    Both a LayersError (one ``except`` catches everything the SDK raises) and a
    ValueError (as the README's standalone verifier raises). ``status`` is 0 and
    ``code`` is ``WEBHOOK_VERIFICATION_FAILED``; ``message`` says what was wrong.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, code=WEBHOOK_VERIFICATION_FAILED)


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), or None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> LayersError:
    """The LayersError for a non-2xx answer: the API's error body when there is one."""
    header_request_id = headers.get("X-Request-Id")
    retry_after = parse_retry_after(headers.get("Retry-After"))
    error: Any = None
    try:
        parsed = json.loads(body.decode("utf-8"))
        if isinstance(parsed, dict):
            error = parsed.get("error")
    except (UnicodeDecodeError, ValueError):
        pass
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        issues = error.get("issues")
        return LayersError(
            str(error.get("message") or f"HTTP {status}"),
            status=status,
            code=error["code"],
            request_id=error.get("requestId") or header_request_id,
            issues=issues if isinstance(issues, list) else None,
            retry_after=retry_after,
        )
    # Not the API's error model: a proxy or load balancer answered.
    excerpt = body[:200].decode("utf-8", "replace").strip()
    return LayersError(
        f"HTTP {status} without the API's error body" + (f": {excerpt}" if excerpt else ""),
        status=status,
        code=f"HTTP_{status}",
        request_id=header_request_id,
        retry_after=retry_after,
    )
