"""webhooks.verify against deliveries the server really sent to an https receiver."""

from __future__ import annotations

import base64
import json
import os
import unittest
from unittest import mock

import layers_connect
from layers_connect import Layers, LayersError, WebhookVerificationError, webhooks
from live import Delivery, Env, Receiver, connect


def another_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


class WebhookDeliveryTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.env = Env()
        cls.layers = cls.env.client()
        cls.receiver = Receiver(cls.env.tls_dir)
        cls.endpoint = cls.layers.webhook_endpoints.create(cls.env.project_id, cls.receiver.url, description="python sdk tests")
        cls.secret = cls.endpoint["secret"]
        event_id = cls.layers.webhook_endpoints.send_test(cls.endpoint["id"])["eventId"]
        cls.delivery: Delivery = cls.receiver.wait_for(event_id=event_id)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.layers.webhook_endpoints.delete(cls.endpoint["id"])
        cls.receiver.close()

    def test_send_test_delivery_verifies_with_the_endpoint_secret(self) -> None:
        event = webhooks.verify(self.delivery.body, self.delivery.headers, self.secret)
        self.assertEqual(event["type"], "webhook.test")
        self.assertEqual(event["data"], {"endpointId": self.endpoint["id"]})
        self.assertTrue(self.delivery.headers["webhook-id"].startswith("evt_"))

    def test_verify_is_reachable_from_the_package_the_class_and_a_client(self) -> None:
        for verify in (layers_connect.webhooks.verify, Layers.webhooks.verify, self.layers.webhooks.verify):
            self.assertEqual(verify(self.delivery.body, self.delivery.headers, self.secret)["type"], "webhook.test")

    def test_verify_takes_the_handler_headers_object_and_a_str_body(self) -> None:
        # http.server's self.headers (an email.message.Message), names as the sender wrote them.
        event = webhooks.verify(self.delivery.body.decode("utf-8"), self.delivery.raw_headers, self.secret)
        self.assertEqual(event["data"]["endpointId"], self.endpoint["id"])
        upper = {name.upper(): value for name, value in self.delivery.headers.items()}
        self.assertEqual(webhooks.verify(self.delivery.body, upper, self.secret)["type"], "webhook.test")

    def test_a_real_connection_sends_social_account_connected_that_verifies(self) -> None:
        state = connect(self.layers, self.env, "py_hooked")
        delivery = self.receiver.wait_for(
            matches=lambda event: event["type"] == "social_account.connected" and event["data"]["state"] == state
        )
        event = webhooks.verify(delivery.body, delivery.headers, self.secret)
        account_id = self.layers.social.get_oauth_status(state)["socialAccountId"]
        self.assertEqual(event["data"]["id"], account_id)
        self.assertEqual((event["data"]["username"], event["data"]["reconnected"]), ("py_hooked", False))

    def test_refuses_another_secret(self) -> None:
        with self.assertRaises(WebhookVerificationError) as caught:
            webhooks.verify(self.delivery.body, self.delivery.headers, another_secret())
        self.assertEqual(caught.exception.message, "no valid signature")
        self.assertIsInstance(caught.exception, LayersError)
        self.assertIsInstance(caught.exception, ValueError)
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "WEBHOOK_VERIFICATION_FAILED"))

    def test_refuses_an_altered_body(self) -> None:
        altered = self.delivery.body.replace(self.endpoint["id"].encode(), b"we_01HXZ8K2M4P5QRS6TV7WXYZ9AB")
        self.assertNotEqual(altered, self.delivery.body)
        with self.assertRaisesRegex(WebhookVerificationError, "no valid signature"):
            webhooks.verify(altered, self.delivery.headers, self.secret)

    def test_refuses_a_delivery_read_more_than_five_minutes_after_it_was_signed(self) -> None:
        signed_at = int(self.delivery.headers["webhook-timestamp"])
        with mock.patch("layers_connect.webhooks.time.time", return_value=signed_at + 299):
            self.assertEqual(webhooks.verify(self.delivery.body, self.delivery.headers, self.secret)["type"], "webhook.test")
        for now in (signed_at + 301, signed_at - 301):
            with mock.patch("layers_connect.webhooks.time.time", return_value=now):
                with self.assertRaisesRegex(WebhookVerificationError, "timestamp too far from now"):
                    webhooks.verify(self.delivery.body, self.delivery.headers, self.secret)

    def test_refuses_a_replay_with_a_fresh_timestamp(self) -> None:
        replayed = dict(self.delivery.headers, **{"webhook-timestamp": str(int(self.delivery.headers["webhook-timestamp"]) + 60)})
        with self.assertRaisesRegex(WebhookVerificationError, "no valid signature"):
            webhooks.verify(self.delivery.body, replayed, self.secret)

    def test_refuses_a_delivery_without_its_headers(self) -> None:
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            headers = {k: v for k, v in self.delivery.headers.items() if k != name}
            with self.assertRaisesRegex(WebhookVerificationError, f"the {name} header is missing"):
                webhooks.verify(self.delivery.body, headers, self.secret)

    def test_after_a_rotation_deliveries_carry_both_signatures_and_either_secret_verifies(self) -> None:
        receiver = Receiver(self.env.tls_dir)
        endpoint = self.layers.webhook_endpoints.create(self.env.project_id, receiver.url, events=["webhook.test"])
        try:
            rotated = self.layers.webhook_endpoints.rotate_secret(endpoint["id"])
            self.assertTrue(rotated["secret"].startswith("whsec_"))
            self.assertNotEqual(rotated["secret"], endpoint["secret"])
            delivery = receiver.wait_for(event_id=self.layers.webhook_endpoints.send_test(endpoint["id"])["eventId"])
            self.assertEqual(len(delivery.headers["webhook-signature"].split(" ")), 2)
            for secret in (endpoint["secret"], rotated["secret"]):
                self.assertEqual(webhooks.verify(delivery.body, delivery.headers, secret)["data"], {"endpointId": endpoint["id"]})
            with self.assertRaises(WebhookVerificationError):
                webhooks.verify(delivery.body, delivery.headers, another_secret())
            self.assertEqual(json.loads(delivery.body)["type"], "webhook.test")
        finally:
            self.layers.webhook_endpoints.delete(endpoint["id"])
            receiver.close()


if __name__ == "__main__":
    unittest.main()
