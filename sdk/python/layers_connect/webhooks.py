"""Verifying Layers webhook deliveries (Standard Webhooks), standard library only.

Each delivery carries ``webhook-id`` (the event id, the same on every retry),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: space-separated
``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, two of them for 24 hours
after a secret rotation. Verify the raw body, before parsing it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Callable, Dict, Optional, Union

from .errors import WebhookVerificationError

#: How far ``webhook-timestamp`` may be from now, in seconds, either way.
DEFAULT_TOLERANCE = 300

SECRET_PREFIX = "whsec_"

Body = Union[bytes, bytearray, memoryview, str]


def verify(body: Body, headers: Any, secret: str, tolerance: float = DEFAULT_TOLERANCE) -> Dict[str, Any]:
    """The event (``{"type", "timestamp", "data"}``) if ``body`` was signed with ``secret``.

    - ``body``: the request body exactly as received (bytes; a str is encoded as UTF-8).
    - ``headers``: the request's headers in any letter case: a dict, an
      ``email.message.Message`` / ``http.client.HTTPMessage`` (``http.server``),
      a framework's headers object, or a list of ``(name, value)`` pairs.
    - ``secret``: the endpoint's ``whsec_...`` secret.
    - ``tolerance``: seconds ``webhook-timestamp`` may be from now (5 minutes).

    Raises WebhookVerificationError (a LayersError and a ValueError) otherwise.
    """
    payload = _as_bytes(body)
    header = _header_reader(headers)
    message_id = header("webhook-id")
    timestamp = header("webhook-timestamp")
    signatures = header("webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp is not Unix seconds: {timestamp!r}") from None
    if abs(time.time() - sent_at) > tolerance:
        raise WebhookVerificationError("timestamp too far from now")

    signed = f"{message_id}.{timestamp}.".encode("utf-8") + payload
    expected = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest())
    for signature in signatures.split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode("utf-8"), expected):
            try:
                event = json.loads(payload.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise WebhookVerificationError("the signed body is not JSON") from None
            if not isinstance(event, dict):
                raise WebhookVerificationError("the signed body is not a JSON object")
            return event
    raise WebhookVerificationError("no valid signature")


def _as_bytes(body: Body) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be the raw request body as bytes or str, got {type(body).__name__}")


def _key(secret: str) -> bytes:
    if not isinstance(secret, str) or not secret:
        raise WebhookVerificationError("the secret must be the endpoint's whsec_... string")
    encoded = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not whsec_ followed by base64") from None
    if not key:
        raise WebhookVerificationError("the secret is empty")
    return key


def _text(value: Any) -> Optional[str]:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("latin-1")
    return None if value is None else str(value)


def _header_reader(headers: Any) -> Callable[[str], str]:
    """A reader of one header by lower-case name, whatever shape the headers come in."""
    pairs = headers.items() if hasattr(headers, "items") else headers
    by_name: Dict[str, str] = {}
    try:
        for name, value in pairs:
            text = _text(value)
            if text is not None:
                by_name.setdefault(_text(name).lower(), text)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError("headers must be a mapping or a list of (name, value) pairs") from None

    def read(name: str) -> str:
        value = by_name.get(name)
        if value is None or not value.strip():
            raise WebhookVerificationError(f"the {name} header is missing")
        return value.strip()

    return read


__all__ = ["verify", "DEFAULT_TOLERANCE", "WebhookVerificationError"]
