"""The Layers client: ``layers.social``, ``layers.accounts``, ``layers.webhook_endpoints``.

Every call answers the API's JSON as a dict, with the API's own field names
(``result["authorizeUrl"]``), and raises LayersError for anything else.
"""

from __future__ import annotations

import math
import os
import time
import urllib.parse
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence

from . import webhooks as _webhooks
from ._http import Transport

DEFAULT_BASE_URL = "http://localhost:3000"
#: The longest long-poll the API holds a status read for, in seconds.
MAX_WAIT = 30


def _segment(value: str, name: str) -> str:
    """A path segment: a non-empty string, percent-encoded whole (no ``/`` or ``..`` gets through)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return urllib.parse.quote(value, safe="")


def _pages(list_page: Any, project_id: str, limit: Optional[int]) -> Iterator[Dict[str, Any]]:
    """Every item of every page, fetched a page at a time as the loop asks for more."""
    cursor: Optional[str] = None
    while True:
        page = list_page(project_id, limit=limit, cursor=cursor)
        for item in page["data"]:
            yield item
        cursor = page.get("nextCursor")
        if not cursor:
            return


class Social:
    """OAuth attempts: create an authorize URL, then learn how the attempt ended."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    def create_oauth_url(
        self,
        project_id: str,
        platform: str,
        return_url: str,
        *,
        usage_note: Optional[str] = None,
        scopes: Optional[Sequence[str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """POST /v1/projects/:projectId/social/oauth-url → ``{"authorizeUrl", "state", "expiresAt", ...}``.

        Sends an ``Idempotency-Key`` (a new UUID unless you pass one), the same on
        every retry, so a retried call never starts a second attempt.
        """
        body: Dict[str, Any] = {"platform": platform, "returnUrl": return_url}
        if scopes is not None:
            body["scopes"] = list(scopes)
        if usage_note is not None:
            body["usageNote"] = usage_note
        return self._http.request(
            "POST",
            f"/v1/projects/{_segment(project_id, 'project_id')}/social/oauth-url",
            body=body,
            idempotency_key=idempotency_key if idempotency_key is not None else str(uuid.uuid4()),
        )

    def get_oauth_status(self, state: str, *, wait: Optional[int] = None) -> Dict[str, Any]:
        """GET /v1/social/oauth-status/:state → the attempt (``status``: pending, completed, failed, expired).

        ``wait`` (whole seconds, 1 to 30) makes it a long-poll: the server answers as
        soon as the attempt is no longer pending, or after ``wait`` seconds. The
        client's timeout is extended by ``wait`` for this call.
        """
        if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int) or not 1 <= wait <= MAX_WAIT):
            raise ValueError(f"wait must be a whole number of seconds from 1 to {MAX_WAIT}, got {wait!r}")
        return self._http.request(
            "GET",
            f"/v1/social/oauth-status/{_segment(state, 'state')}",
            query={"wait": wait},
            extra_timeout=float(wait or 0),
        )

    def wait_for_connection(self, state: str, *, timeout: float = 600.0) -> Dict[str, Any]:
        """Long-polls the attempt until it is no longer pending or ``timeout`` seconds pass.

        Answers the last status read: ``completed`` (with ``socialAccountId``),
        ``failed`` (with ``error``), ``expired``, or still ``pending`` when the time
        ran out (the last long-poll is whole seconds, so up to a second later). An
        attempt expires 10 minutes after creation, hence the default.
        """
        deadline = time.monotonic() + timeout
        attempt: Optional[Dict[str, Any]] = None
        while True:
            started = time.monotonic()
            remaining = deadline - started
            if remaining <= 0:
                return attempt if attempt is not None else self.get_oauth_status(state)
            # Whole seconds, rounded up: the last poll may end up to a second after `timeout`.
            attempt = self.get_oauth_status(state, wait=min(MAX_WAIT, math.ceil(remaining)))
            if attempt.get("status") != "pending":
                return attempt
            # A server that answers a long-poll at once (an old one, a proxy) is not hammered.
            elapsed = time.monotonic() - started
            if elapsed < 1:
                time.sleep(max(0.0, min(1 - elapsed, deadline - time.monotonic())))


class Accounts:
    """Connected social accounts (never their tokens)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    def list(self, project_id: str, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Dict[str, Any]:
        """GET /v1/projects/:projectId/social/accounts → ``{"data": [account, ...], "nextCursor": str | None}``."""
        return self._http.request(
            "GET",
            f"/v1/projects/{_segment(project_id, 'project_id')}/social/accounts",
            query={"limit": limit, "cursor": cursor},
        )

    def iterate(self, project_id: str, *, limit: Optional[int] = None) -> Iterator[Dict[str, Any]]:
        """Every account of the project, oldest first, fetching ``limit`` per page as needed."""
        return _pages(self.list, project_id, limit)

    def get(self, account_id: str) -> Dict[str, Any]:
        """GET /v1/social/accounts/:id → the account."""
        return self._http.request("GET", f"/v1/social/accounts/{_segment(account_id, 'account_id')}")

    def refresh(self, account_id: str) -> Dict[str, Any]:
        """POST /v1/social/accounts/:id/refresh → the account with fresh tokens (409 NEEDS_REAUTH if refused for good)."""
        return self._http.request("POST", f"/v1/social/accounts/{_segment(account_id, 'account_id')}/refresh")

    def disconnect(self, account_id: str) -> None:
        """DELETE /v1/social/accounts/:id (204): revokes where the platform can, deletes the tokens."""
        self._http.request("DELETE", f"/v1/social/accounts/{_segment(account_id, 'account_id')}")


class WebhookEndpoints:
    """Where a project's events of the key's mode are sent."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    def create(
        self,
        project_id: str,
        url: str,
        *,
        events: Optional[Sequence[str]] = None,
        description: Optional[str] = None,
    ) -> Dict[str, Any]:
        """POST /v1/projects/:projectId/webhook-endpoints (201) → the endpoint with its ``secret`` (shown only now)."""
        body: Dict[str, Any] = {"url": url}
        if events is not None:
            body["events"] = list(events)
        if description is not None:
            body["description"] = description
        return self._http.request(
            "POST", f"/v1/projects/{_segment(project_id, 'project_id')}/webhook-endpoints", body=body
        )

    def list(self, project_id: str, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Dict[str, Any]:
        """GET /v1/projects/:projectId/webhook-endpoints → ``{"data": [endpoint, ...], "nextCursor": str | None}``."""
        return self._http.request(
            "GET",
            f"/v1/projects/{_segment(project_id, 'project_id')}/webhook-endpoints",
            query={"limit": limit, "cursor": cursor},
        )

    def iterate(self, project_id: str, *, limit: Optional[int] = None) -> Iterator[Dict[str, Any]]:
        """Every endpoint of the project, oldest first."""
        return _pages(self.list, project_id, limit)

    def delete(self, endpoint_id: str) -> None:
        """DELETE /v1/webhook-endpoints/:id (204)."""
        self._http.request("DELETE", f"/v1/webhook-endpoints/{_segment(endpoint_id, 'endpoint_id')}")

    def rotate_secret(self, endpoint_id: str) -> Dict[str, Any]:
        """POST /v1/webhook-endpoints/:id/rotate-secret → ``{"secret": "whsec_..."}``; the old one signs beside it for 24 h."""
        return self._http.request("POST", f"/v1/webhook-endpoints/{_segment(endpoint_id, 'endpoint_id')}/rotate-secret")

    def send_test(self, endpoint_id: str) -> Dict[str, Any]:
        """POST /v1/webhook-endpoints/:id/test (202) → ``{"eventId": "evt_..."}``, the webhook-id of the webhook.test sent."""
        return self._http.request("POST", f"/v1/webhook-endpoints/{_segment(endpoint_id, 'endpoint_id')}/test")


class Layers:
    """A client for one API key.

    ``api_key`` defaults to the ``LAYERS_API_KEY`` environment variable,
    ``base_url`` to ``LAYERS_BASE_URL``, else ``http://localhost:3000``.
    ``timeout`` (seconds) bounds the wait for the connection and for each read
    of the answer; ``max_retries`` is how many times a 429, a 503 or (for
    requests safe to repeat) a network failure is retried.
    """

    #: ``Layers.webhooks.verify(body, headers, secret)``; needs no client.
    webhooks = _webhooks

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 2,
    ) -> None:
        api_key = api_key if api_key is not None else os.environ.get("LAYERS_API_KEY")
        if not api_key:
            raise ValueError("No API key: pass Layers(api_key=...) or set LAYERS_API_KEY.")
        base_url = base_url or os.environ.get("LAYERS_BASE_URL") or DEFAULT_BASE_URL
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self._http = Transport(api_key, base_url, float(timeout), max_retries)
        self.social = Social(self._http)
        self.accounts = Accounts(self._http)
        self.webhook_endpoints = WebhookEndpoints(self._http)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        # Never the key.
        return f"Layers(base_url={self.base_url!r})"


__all__: List[str] = ["Layers", "Social", "Accounts", "WebhookEndpoints", "DEFAULT_BASE_URL"]
