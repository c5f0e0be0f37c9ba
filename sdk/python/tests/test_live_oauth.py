"""The OAuth calls against the running API (started by sdk/python/python.test.ts):
create_oauth_url, get_oauth_status (and its long-poll), wait_for_connection."""

from __future__ import annotations

import threading
import time
import unittest
import urllib.parse
import uuid

from layers_connect import LayersError
from live import Env, consent

# The seed page's snippet, verbatim.
SEED_SNIPPET = '''
result = layers.social.create_oauth_url(
    project_id="prj_01HX9Y7K8M2P4RSTUV56789AB",
    platform="tiktok",
    return_url="https://app.gicgrowth.com/connect/tiktok/return",
    usage_note="Connecting Acme Coffee",
)
# send result["authorizeUrl"] to the end-customer's browser
'''
UNKNOWN_STATE = "st_01HXZ8K2M4P5QRS6TV7WXYZ9AB"


def later(seconds: float, action) -> threading.Thread:  # type: ignore[no-untyped-def]
    """Runs `action` on another thread after `seconds` (the end-customer, while the integrator waits)."""
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()), daemon=True)
    thread.start()
    return thread


class CreateOAuthUrlTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.env = Env()
        cls.layers = cls.env.client()

    def test_seed_snippet_runs_as_printed(self) -> None:
        namespace = {"layers": self.layers}
        exec(SEED_SNIPPET.replace("prj_01HX9Y7K8M2P4RSTUV56789AB", self.env.project_id), namespace)
        result = namespace["result"]
        self.assertTrue(result["state"].startswith("st_"))
        self.assertRegex(result["expiresAt"], r"^\d{4}-\d\d-\d\dT")
        authorize = urllib.parse.urlsplit(result["authorizeUrl"])
        self.assertEqual(f"{authorize.scheme}://{authorize.netloc}", self.env.base_url)
        self.assertEqual(dict(urllib.parse.parse_qsl(authorize.query))["state"], result["state"])
        status = self.layers.social.get_oauth_status(result["state"])
        self.assertEqual(status["usageNote"], "Connecting Acme Coffee")

    def test_sends_the_api_field_names_and_answers_them(self) -> None:
        result = self.layers.social.create_oauth_url(
            self.env.project_id, "instagram", self.env.return_url + "?account=42",
            usage_note="Acme", scopes=["instagram_business_basic", "instagram_business_manage_insights"],
        )
        self.assertLessEqual({"authorizeUrl", "state", "expiresAt"}, set(result))
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(result["authorizeUrl"]).query))
        self.assertEqual(query["scope"], "instagram_business_basic,instagram_business_manage_insights")
        status = self.layers.social.get_oauth_status(result["state"])
        self.assertEqual((status["platform"], status["usageNote"], status["projectId"]), ("instagram", "Acme", self.env.project_id))

    def test_an_idempotency_key_replays_the_same_attempt_and_conflicts_on_another_body(self) -> None:
        key = f"py-{uuid.uuid4()}"
        first = self.layers.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url, idempotency_key=key)
        again = self.layers.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url, idempotency_key=key)
        self.assertEqual(again["state"], first["state"])
        with self.assertRaises(LayersError) as caught:
            self.layers.social.create_oauth_url(self.env.project_id, "instagram", self.env.return_url, idempotency_key=key)
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "IDEMPOTENCY_CONFLICT"))

    def test_each_call_without_a_key_starts_a_new_attempt(self) -> None:
        first = self.layers.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url)
        second = self.layers.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url)
        self.assertNotEqual(first["state"], second["state"])


class OAuthStatusTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.env = Env()
        cls.layers = cls.env.client()

    def attempt(self) -> dict:
        return self.layers.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url)

    def test_get_oauth_status_reads_a_pending_attempt(self) -> None:
        created = self.attempt()
        status = self.layers.social.get_oauth_status(created["state"])
        self.assertEqual((status["state"], status["status"], status["platform"]), (created["state"], "pending", "tiktok"))
        self.assertEqual(status["expiresAt"], created["expiresAt"])
        self.assertIsNone(status["completedAt"])

    def test_a_long_poll_is_held_for_wait_seconds_beyond_the_client_timeout(self) -> None:
        created = self.attempt()
        started = time.monotonic()
        # Held 4 s, twice the client's timeout: no TIMEOUT, since the wait extends it.
        status = self.env.client(timeout=2, max_retries=0).social.get_oauth_status(created["state"], wait=4)
        self.assertEqual(status["status"], "pending")
        self.assertGreaterEqual(time.monotonic() - started, 3.9)

    def test_a_long_poll_answers_once_the_end_customer_has_connected(self) -> None:
        created = self.attempt()
        consenting = later(1, lambda: consent(self.env.base_url, created["authorizeUrl"], "py_longpoll"))
        started = time.monotonic()
        status = self.layers.social.get_oauth_status(created["state"], wait=30)
        consenting.join()
        self.assertEqual(status["status"], "completed")
        self.assertTrue(status["socialAccountId"].startswith("sa_"))
        self.assertLess(time.monotonic() - started, 25)

    def test_wait_for_connection_answers_the_completed_attempt(self) -> None:
        created = self.attempt()
        consenting = later(0.5, lambda: consent(self.env.base_url, created["authorizeUrl"], "py_waiter"))
        attempt = self.layers.social.wait_for_connection(created["state"], timeout=60)
        consenting.join()
        self.assertEqual(attempt["status"], "completed")
        account = self.layers.accounts.get(attempt["socialAccountId"])
        self.assertEqual((account["username"], account["livemode"]), ("py_waiter", False))

    def test_wait_for_connection_answers_a_failed_attempt(self) -> None:
        created = self.attempt()
        landed = later(0.5, lambda: consent(self.env.base_url, created["authorizeUrl"], "py_canceller", decision="cancel"))
        attempt = self.layers.social.wait_for_connection(created["state"], timeout=60)
        landed.join()
        self.assertEqual((attempt["status"], attempt["error"]["code"]), ("failed", "access_denied"))

    def test_wait_for_connection_answers_pending_when_its_time_runs_out(self) -> None:
        created = self.attempt()
        started = time.monotonic()
        attempt = self.layers.social.wait_for_connection(created["state"], timeout=2)
        self.assertEqual(attempt["status"], "pending")
        self.assertGreaterEqual(time.monotonic() - started, 2)

    def test_a_wait_outside_1_to_30_whole_seconds_is_refused_before_sending(self) -> None:
        for wait in (0, 31, 1.5, True, "5"):
            with self.assertRaises(ValueError, msg=repr(wait)):
                self.layers.social.get_oauth_status(UNKNOWN_STATE, wait=wait)  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
