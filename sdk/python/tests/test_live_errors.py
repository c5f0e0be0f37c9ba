"""Every error class against the running API (started by sdk/python/python.test.ts),
and the retry on 429 that sleeps for Retry-After."""

from __future__ import annotations

import time
import unittest

from layers_connect import LayersError
from live import Env, RetryLog

UNKNOWN_ACCOUNT = "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB"
UNKNOWN_STATE = "st_01HXZ8K2M4P5QRS6TV7WXYZ9AB"
UNKNOWN_ENDPOINT = "we_01HXZ8K2M4P5QRS6TV7WXYZ9AB"


class ErrorTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.env = Env()
        cls.layers = cls.env.client()

    def assertLayersError(self, caught: object, status: int, code: str) -> LayersError:
        """The error an assertRaises block caught (or the error itself), checked."""
        error = getattr(caught, "exception", caught)
        self.assertIsInstance(error, LayersError)
        self.assertEqual((error.status, error.code), (status, code), str(error))
        self.assertTrue(error.request_id.startswith("req_"), error.request_id)
        self.assertTrue(error.message)
        return error

    def test_a_bad_key_is_401_unauthenticated(self) -> None:
        with self.assertRaises(LayersError) as caught:
            self.env.client("lp_test_nosuchkey_" + "x" * 32).accounts.list(self.env.project_id)
        error = self.assertLayersError(caught, 401, "UNAUTHENTICATED")
        self.assertIsNone(error.issues)

    def test_a_key_without_the_scope_is_403_forbidden_scope(self) -> None:
        readonly = self.env.client(self.env.readonly_key)
        with self.assertRaises(LayersError) as caught:
            readonly.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url)
        self.assertIn("social:write", self.assertLayersError(caught, 403, "FORBIDDEN_SCOPE").message)
        with self.assertRaises(LayersError) as caught:
            readonly.webhook_endpoints.list(self.env.project_id)
        self.assertIn("webhooks:read", self.assertLayersError(caught, 403, "FORBIDDEN_SCOPE").message)

    def test_unknown_and_foreign_ids_are_404_not_found(self) -> None:
        calls = [
            lambda: self.layers.accounts.get(UNKNOWN_ACCOUNT),
            lambda: self.layers.social.get_oauth_status(UNKNOWN_STATE),
            lambda: self.layers.webhook_endpoints.delete(UNKNOWN_ENDPOINT),
            lambda: self.layers.social.create_oauth_url(self.env.other_project_id, "tiktok", self.env.return_url),
            lambda: self.layers.accounts.list(self.env.other_project_id),
        ]
        for call in calls:
            with self.assertRaises(LayersError) as caught:
                call()
            self.assertLayersError(caught, 404, "NOT_FOUND")

    def test_a_malformed_request_is_400_validation_with_issues(self) -> None:
        with self.assertRaises(LayersError) as caught:
            self.layers.social.create_oauth_url(self.env.project_id, "myspace", self.env.return_url + "#top")
        error = self.assertLayersError(caught, 400, "VALIDATION")
        self.assertIsInstance(error.issues, list)
        self.assertIn("platform", [issue["path"] for issue in error.issues])
        with self.assertRaises(LayersError) as caught:
            self.layers.social.create_oauth_url(self.env.project_id, "tiktok", self.env.return_url + "#top")
        self.assertEqual([i["path"] for i in self.assertLayersError(caught, 400, "VALIDATION").issues], ["returnUrl"])

    def test_a_return_url_off_the_allowlist_is_403_return_url_not_allowed(self) -> None:
        with self.assertRaises(LayersError) as caught:
            self.layers.social.create_oauth_url(self.env.project_id, "tiktok", "https://evil.example.com/connect/return")
        self.assertIn("ladmin", self.assertLayersError(caught, 403, "RETURN_URL_NOT_ALLOWED").message)

    def test_rate_limited_without_retries_raises_429_with_retry_after(self) -> None:
        error = exhaust(self.env, self)
        self.assertLayersError(error, 429, "RATE_LIMITED")
        self.assertIsNotNone(error.retry_after)
        self.assertTrue(1 <= error.retry_after <= 3, error.retry_after)

    def test_rate_limited_call_sleeps_for_retry_after_then_succeeds(self) -> None:
        retrying = self.env.client(self.env.limited_key, max_retries=2)
        for _ in range(3):
            exhaust(self.env, self)
            with RetryLog() as retries:
                started = time.monotonic()
                page = retrying.accounts.list(self.env.project_id)
                elapsed = time.monotonic() - started
            if not retries.records:
                continue  # the budget's window turned between the two calls: try again
            self.assertIn("data", page)
            for retry in retries.records:
                self.assertEqual((retry["status"], retry["code"]), (429, "RATE_LIMITED"))
                self.assertTrue(1 <= retry["retry_after"] <= 3, retry)
                self.assertEqual(retry["delay"], retry["retry_after"])
            self.assertGreaterEqual(elapsed, sum(r["delay"] for r in retries.records))
            return
        self.fail("three calls right after a 429 never met a 429 themselves")


def exhaust(env: Env, test: unittest.TestCase) -> LayersError:
    """Spends the limited key's read budget (1 per 3 s): answers the 429 a call without retries gets."""
    client = env.client(env.limited_key, max_retries=0)
    for _ in range(5):
        try:
            client.accounts.list(env.project_id)
        except LayersError as error:
            return error
    test.fail("five reads in a row never met the 1/3s budget")
    raise AssertionError


if __name__ == "__main__":
    unittest.main()
