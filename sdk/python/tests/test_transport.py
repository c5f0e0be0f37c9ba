"""What the SDK sends, and how it times out and reports failures, against a scripted
local server (stub.py)."""

from __future__ import annotations

import json
import os
import time
import unittest
import uuid
from unittest import mock

from layers_connect import Layers, LayersError
from stub import TransportTest, closed_port, error_body


class RequestShapeTests(TransportTest):
    def test_create_oauth_url_sends_the_key_a_camel_case_json_body_and_an_idempotency_key(self) -> None:
        stub = self.stub((200, {}, {"authorizeUrl": "https://x/authorize", "state": "st_X", "expiresAt": "2026-01-01T00:00:00Z"}))
        result = stub.client().social.create_oauth_url(
            project_id="prj_1", platform="tiktok", return_url="https://app/return", usage_note="Acme", scopes=["video.list"]
        )
        self.assertEqual(result["authorizeUrl"], "https://x/authorize")
        sent = stub.requests[0]
        self.assertEqual((sent["method"], sent["path"]), ("POST", "/v1/projects/prj_1/social/oauth-url"))
        self.assertEqual(sent["headers"]["Authorization"], "Bearer lp_test_stub_secret")
        self.assertEqual(sent["headers"]["Content-Type"], "application/json")
        self.assertTrue(sent["headers"]["User-Agent"].startswith("layers-connect-python/0.1.0"))
        uuid.UUID(sent["headers"]["Idempotency-Key"])
        self.assertEqual(
            json.loads(sent["body"]),
            {"platform": "tiktok", "returnUrl": "https://app/return", "usageNote": "Acme", "scopes": ["video.list"]},
        )

    def test_optional_fields_and_query_parameters_are_left_out_when_not_given(self) -> None:
        stub = self.stub((200, {}, {}), (200, {}, {"data": [], "nextCursor": None}), (200, {}, {"data": [], "nextCursor": None}))
        client = stub.client()
        client.social.create_oauth_url("prj_1", "instagram", "https://app/return", idempotency_key="mine-1")
        client.accounts.list("prj_1")
        client.accounts.list("prj_1", limit=5, cursor="abc")
        self.assertEqual(json.loads(stub.requests[0]["body"]), {"platform": "instagram", "returnUrl": "https://app/return"})
        self.assertEqual(stub.requests[0]["headers"]["Idempotency-Key"], "mine-1")
        self.assertEqual([r["path"] for r in stub.requests[1:]], ["/v1/projects/prj_1/social/accounts", "/v1/projects/prj_1/social/accounts?limit=5&cursor=abc"])

    def test_ids_are_percent_encoded_as_one_path_segment(self) -> None:
        stub = self.stub()
        stub.client().accounts.get("../../v1/x?y")
        self.assertEqual(stub.requests[0]["path"], "/v1/social/accounts/..%2F..%2Fv1%2Fx%3Fy")
        with self.assertRaises(ValueError):
            stub.client().accounts.get("")

    def test_a_204_answers_none(self) -> None:
        stub = self.stub((204, {}, b""), (204, {}, b""))
        self.assertIsNone(stub.client().accounts.disconnect("sa_1"))
        self.assertIsNone(stub.client().webhook_endpoints.delete("we_1"))
        self.assertEqual([(r["method"], r["path"]) for r in stub.requests], [("DELETE", "/v1/social/accounts/sa_1"), ("DELETE", "/v1/webhook-endpoints/we_1")])

    def test_construction_reads_the_environment_and_checks_its_arguments(self) -> None:
        with mock.patch.dict(os.environ, {"LAYERS_API_KEY": "lp_test_env_key", "LAYERS_BASE_URL": "https://layers.example.com/"}):
            layers = Layers()
            self.assertEqual(layers.base_url, "https://layers.example.com")
            self.assertNotIn("lp_test_env_key", repr(layers))
        with mock.patch.dict(os.environ, {"LAYERS_API_KEY": "lp_test_env_key"}, clear=True):
            self.assertEqual(Layers().base_url, "http://localhost:3000")
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaisesRegex(ValueError, "LAYERS_API_KEY"):
                Layers()
        for bad in ({"base_url": "localhost:3000"}, {"max_retries": -1}, {"timeout": 0}):
            with self.assertRaises(ValueError, msg=bad):
                Layers(api_key="k", **bad)  # type: ignore[arg-type]


class FailureTests(TransportTest):
    def test_a_closed_port_is_network_error(self) -> None:
        slept = self.no_sleep()
        client = Layers(api_key="k", base_url=f"http://127.0.0.1:{closed_port()}")
        with self.assertRaises(LayersError) as caught:
            client.accounts.list("prj_1")
        error = caught.exception
        self.assertEqual((error.status, error.code, error.request_id, error.issues), (0, "NETWORK_ERROR", None, None))
        self.assertIsInstance(error.__cause__, OSError)
        self.assertEqual(len(slept), 2)

    def test_a_long_poll_times_out_after_the_timeout_plus_its_wait(self) -> None:
        stub = self.stub("hang")
        started = time.monotonic()
        with self.assertRaises(LayersError) as caught:
            stub.client(timeout=0.2, max_retries=0).social.get_oauth_status("st_1", wait=1)
        elapsed = time.monotonic() - started
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "TIMEOUT"))
        self.assertEqual(stub.requests[0]["path"], "/v1/social/oauth-status/st_1?wait=1")
        self.assertGreaterEqual(elapsed, 1.15)

    def test_a_silent_server_times_out_after_the_timeout(self) -> None:
        stub = self.stub("hang")
        started = time.monotonic()
        with self.assertRaises(LayersError) as caught:
            stub.client(timeout=0.3, max_retries=0).accounts.get("sa_1")
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "TIMEOUT"))
        self.assertGreaterEqual(time.monotonic() - started, 0.25)

    def test_an_answer_without_the_error_model_still_raises_with_its_status(self) -> None:
        stub = self.stub((502, {"Content-Type": "text/html", "X-Request-Id": "req_from_header"}, b"<html>Bad gateway</html>"))
        with self.assertRaises(LayersError) as caught:
            stub.client().accounts.refresh("sa_1")
        error = caught.exception
        self.assertEqual((error.status, error.code, error.request_id), (502, "HTTP_502", "req_from_header"))
        self.assertIn("Bad gateway", error.message)

    def test_the_request_id_comes_from_the_header_when_the_body_has_none(self) -> None:
        stub = self.stub((404, {"X-Request-Id": "req_header"}, error_body("NOT_FOUND", request_id=None)))
        with self.assertRaises(LayersError) as caught:
            stub.client().accounts.get("sa_1")
        self.assertEqual(caught.exception.request_id, "req_header")

    def test_a_success_that_is_not_json_is_invalid_response(self) -> None:
        stub = self.stub((200, {"Content-Type": "text/html"}, b"<html>a captive portal</html>"))
        with self.assertRaises(LayersError) as caught:
            stub.client().accounts.get("sa_1")
        self.assertEqual((caught.exception.status, caught.exception.code), (200, "INVALID_RESPONSE"))

    def test_redirects_are_answered_not_followed(self) -> None:
        stub = self.stub((302, {"Location": "http://127.0.0.1:9/elsewhere"}, b""))
        with self.assertRaises(LayersError) as caught:
            stub.client().accounts.get("sa_1")
        self.assertEqual((caught.exception.status, caught.exception.code), (302, "HTTP_302"))
        self.assertEqual(len(stub.requests), 1)


class WaitForConnectionTests(TransportTest):
    def test_long_polls_30_seconds_at_a_time(self) -> None:
        stub = self.stub((200, {}, {"status": "pending"}), (200, {}, {"status": "completed", "socialAccountId": "sa_1"}))
        attempt = stub.client().social.wait_for_connection("st_1")
        self.assertEqual(attempt["socialAccountId"], "sa_1")
        self.assertEqual([r["path"] for r in stub.requests], ["/v1/social/oauth-status/st_1?wait=30"] * 2)

    def test_does_not_hammer_a_server_that_answers_at_once(self) -> None:
        stub = self.stub(*[(200, {}, {"status": "pending"})] * 10)
        started = time.monotonic()
        attempt = stub.client().social.wait_for_connection("st_1", timeout=2.5)
        self.assertEqual(attempt["status"], "pending")
        # Each poll that came back at once was followed by a pause to fill its second.
        self.assertGreaterEqual(time.monotonic() - started, 2.4)
        # At most one poll a second, each still a long-poll of the time left.
        self.assertLessEqual(len(stub.requests), 3)
        self.assertEqual(stub.requests[0]["path"], "/v1/social/oauth-status/st_1?wait=3")
        self.assertTrue(all("?wait=" in r["path"] for r in stub.requests), stub.requests)


if __name__ == "__main__":
    unittest.main()
