"""One HTTP request to the API, with the SDK's retries (urllib only)."""

from __future__ import annotations

import http.client
import json
import logging
import platform
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Mapping, NamedTuple, Optional

from .errors import INVALID_RESPONSE, NETWORK_ERROR, TIMEOUT, LayersError, error_from_response

__version__ = "0.1.0"

logger = logging.getLogger("layers_connect")

#: Longest wait honoured from a Retry-After header, in seconds.
MAX_RETRY_AFTER = 60.0
#: The first backoff without Retry-After, doubled on every retry (then jittered).
BACKOFF_BASE = 0.5
MAX_BACKOFF = 8.0

# Requests that may be sent twice without a second effect. A POST is
# retried after a network failure only when it carries an Idempotency-Key.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})

USER_AGENT = f"layers-connect-python/{__version__} (Python {platform.python_version()})"

# The wait between tries (a module attribute, so tests can record it).
_sleep = time.sleep


class Response(NamedTuple):
    status: int
    headers: Mapping[str, str]
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The API never redirects; a 3xx is answered to the caller as it is, never followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def _is_timeout(error: BaseException) -> bool:
    # socket.timeout is TimeoutError from 3.10 on, an OSError subclass of its own on 3.9.
    if isinstance(error, (socket.timeout, TimeoutError)):
        return True
    reason = getattr(error, "reason", None)
    return isinstance(reason, (socket.timeout, TimeoutError))


class Transport:
    def __init__(self, api_key: str, base_url: str, timeout: float, max_retries: int) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, method: str, url: str, headers: Mapping[str, str], data: Optional[bytes], timeout: float) -> Response:
        """One try; a failure to get any answer is a LayersError with status 0."""
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        try:
            try:
                with self._opener.open(request, timeout=timeout) as answer:
                    return Response(answer.status, answer.headers, answer.read())
            except urllib.error.HTTPError as answer:
                with answer:
                    return Response(answer.code, answer.headers, answer.read())
        except (OSError, http.client.HTTPException) as error:
            if _is_timeout(error):
                raise LayersError(
                    f"{method} {url} got no answer within {timeout:g} s.", code=TIMEOUT
                ) from error
            reason = getattr(error, "reason", error)
            raise LayersError(f"{method} {url} failed: {reason}", code=NETWORK_ERROR) from error

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        extra_timeout: float = 0.0,
    ) -> Any:
        """The parsed JSON answer (None for 204), after up to ``max_retries`` retries."""
        url = self.base_url + path
        params = {name: value for name, value in (query or {}).items() if value is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        replayable = method in IDEMPOTENT_METHODS or idempotency_key is not None

        retries = 0
        while True:
            try:
                answer = self.send(method, url, headers, data, self.timeout + extra_timeout)
            except LayersError as error:
                if not replayable or retries >= self.max_retries:
                    raise
                self._wait(method, path, retries, error, None)
                retries += 1
                continue
            if 200 <= answer.status < 300:
                return _parse_success(answer)
            error = error_from_response(answer.status, answer.headers, answer.body)
            if not _retryable(error) or retries >= self.max_retries:
                raise error
            self._wait(method, path, retries, error, error.retry_after)
            retries += 1

    def _wait(self, method: str, path: str, retries: int, error: LayersError, retry_after: Optional[float]) -> None:
        if retry_after is not None:
            delay = min(retry_after, MAX_RETRY_AFTER)
        else:
            # Exponential backoff with jitter: 0.25-0.5 s, 0.5-1 s, 1-2 s, ... up to 4-8 s.
            delay = min(MAX_BACKOFF, BACKOFF_BASE * 2**retries) * random.uniform(0.5, 1.0)
        logger.debug(
            "layers_connect: retry %d of %s %s in %.3f s after %s (Retry-After: %s)",
            retries + 1,
            method,
            path,
            delay,
            error.code,
            "none" if retry_after is None else f"{retry_after:g}",
            extra={"layers_retry": {"status": error.status, "code": error.code, "retry_after": retry_after, "delay": delay}},
        )
        _sleep(delay)


def _retryable(error: LayersError) -> bool:
    """429 (the limiter refused before anything ran) and 503 (nothing happened; try again).

    Not 503 PLATFORM_NOT_CONFIGURED: the operator must add credentials, and no
    retry within seconds will change that.
    """
    if error.status == 429:
        return True
    return error.status == 503 and error.code != "PLATFORM_NOT_CONFIGURED"


def _parse_success(answer: Response) -> Any:
    if answer.status == 204 or not answer.body:
        return None
    try:
        return json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise LayersError(
            f"HTTP {answer.status} answered a body that is not JSON.",
            status=answer.status,
            code=INVALID_RESPONSE,
            request_id=answer.headers.get("X-Request-Id"),
        ) from error
