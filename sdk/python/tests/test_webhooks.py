"""webhooks.verify on messages signed here: the header shapes it takes, and what it refuses."""

from __future__ import annotations

import base64
import email.message
import hashlib
import hmac
import json
import os
import re
import time
import unittest

from layers_connect import LayersError, WebhookVerificationError, webhooks

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")
BODY = json.dumps({"type": "webhook.test", "timestamp": "2026-05-01T12:00:00.000Z", "data": {"endpointId": "we_x"}}).encode()
EVENT_ID = "evt_01HXZ8K2M4P5QRS6TV7WXYZ9AB"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def signature(secret: str, timestamp: str, body: bytes, event_id: str = EVENT_ID) -> str:
    key = base64.b64decode(secret[len("whsec_"):])
    digest = hmac.new(key, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed(secret: str, body: bytes = BODY, at: float = 0) -> dict:
    timestamp = str(int(at or time.time()))
    return {"webhook-id": EVENT_ID, "webhook-timestamp": timestamp, "webhook-signature": signature(secret, timestamp, body)}


class VerifyTests(unittest.TestCase):
    def test_answers_the_event_of_a_signed_body(self) -> None:
        secret = new_secret()
        self.assertEqual(webhooks.verify(BODY, signed(secret), secret), json.loads(BODY))

    def test_takes_any_header_shape_and_letter_case(self) -> None:
        secret = new_secret()
        headers = signed(secret)
        message = email.message.Message()
        for name, value in headers.items():
            message[name.title()] = value
        shapes = [
            {name.upper(): value for name, value in headers.items()},
            message,
            [(name.encode(), value.encode()) for name, value in headers.items()],
            {name: [value] for name, value in headers.items()},
        ]
        for shape in shapes:
            self.assertEqual(webhooks.verify(BODY, shape, secret)["type"], "webhook.test", type(shape))

    def test_takes_the_body_as_bytes_str_bytearray_or_memoryview(self) -> None:
        secret = new_secret()
        headers = signed(secret)
        for body in (BODY, BODY.decode(), bytearray(BODY), memoryview(BODY)):
            self.assertEqual(webhooks.verify(body, headers, secret)["data"], {"endpointId": "we_x"})
        with self.assertRaises(TypeError):
            webhooks.verify(json.loads(BODY), headers, secret)  # type: ignore[arg-type]

    def test_accepts_either_of_two_signatures_during_a_rotation(self) -> None:
        old, new = new_secret(), new_secret()
        timestamp = str(int(time.time()))
        both = f"{signature(new, timestamp, BODY)} {signature(old, timestamp, BODY)}"
        headers = {"webhook-id": EVENT_ID, "webhook-timestamp": timestamp, "webhook-signature": both}
        for secret in (old, new):
            self.assertEqual(webhooks.verify(BODY, headers, secret)["type"], "webhook.test")
        with self.assertRaisesRegex(WebhookVerificationError, "no valid signature"):
            webhooks.verify(BODY, headers, new_secret())

    def test_only_v1_signatures_count(self) -> None:
        secret = new_secret()
        headers = signed(secret)
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
        with self.assertRaisesRegex(WebhookVerificationError, "no valid signature"):
            webhooks.verify(BODY, headers, secret)

    def test_refuses_timestamps_beyond_the_tolerance_either_way(self) -> None:
        secret = new_secret()
        for offset in (-301, 301):
            with self.assertRaisesRegex(WebhookVerificationError, "timestamp too far from now"):
                webhooks.verify(BODY, signed(secret, at=time.time() + offset), secret)
        self.assertEqual(webhooks.verify(BODY, signed(secret, at=time.time() - 250), secret)["type"], "webhook.test")
        with self.assertRaisesRegex(WebhookVerificationError, "timestamp too far from now"):
            webhooks.verify(BODY, signed(secret, at=time.time() - 20), secret, tolerance=10)

    def test_refuses_a_timestamp_that_is_not_unix_seconds(self) -> None:
        secret = new_secret()
        headers = dict(signed(secret), **{"webhook-timestamp": "2026-05-01T12:00:00Z"})
        with self.assertRaisesRegex(WebhookVerificationError, "not Unix seconds"):
            webhooks.verify(BODY, headers, secret)

    def test_takes_the_secret_with_or_without_its_prefix_and_refuses_a_malformed_one(self) -> None:
        secret = new_secret()
        self.assertEqual(webhooks.verify(BODY, signed(secret), secret[len("whsec_"):])["type"], "webhook.test")
        for bad in ("whsec_not base64!", "", "whsec_"):
            with self.assertRaises(WebhookVerificationError, msg=bad):
                webhooks.verify(BODY, signed(secret), bad)

    def test_refuses_a_signed_body_that_is_not_a_json_object(self) -> None:
        secret = new_secret()
        for body in (b"not json", b"[1, 2]"):
            with self.assertRaisesRegex(WebhookVerificationError, "not"):
                webhooks.verify(body, signed(secret, body), secret)

    def test_its_error_is_a_layers_error_and_a_value_error(self) -> None:
        secret = new_secret()
        with self.assertRaises(ValueError) as caught:
            webhooks.verify(BODY, {}, secret)
        self.assertIsInstance(caught.exception, LayersError)
        self.assertEqual(caught.exception.code, "WEBHOOK_VERIFICATION_FAILED")
        self.assertEqual(str(caught.exception), "WEBHOOK_VERIFICATION_FAILED: the webhook-id header is missing")

    def test_agrees_with_the_readme_verifier(self) -> None:
        with open(README, encoding="utf-8") as readme:
            block = re.search(r"<!-- verify-python -->\s*```python\n(.*?)```", readme.read(), re.S)
        self.assertIsNotNone(block, "README.md has no verify-python block")
        namespace: dict = {}
        exec(block.group(1), namespace)  # type: ignore[union-attr]
        secret = new_secret()
        good = signed(secret)
        cases = [
            (secret, good, BODY),
            (new_secret(), good, BODY),
            (secret, good, BODY.replace(b"we_x", b"we_y")),
            (secret, signed(secret, at=time.time() - 600), BODY),
        ]
        for case_secret, headers, body in cases:
            try:
                theirs = ("ok", namespace["verify"](case_secret, headers, body))
            except ValueError as error:
                theirs = ("refused", str(error))
            try:
                ours = ("ok", webhooks.verify(body, headers, case_secret))
            except WebhookVerificationError as error:
                ours = ("refused", error.message)
            self.assertEqual(ours, theirs)


if __name__ == "__main__":
    unittest.main()
