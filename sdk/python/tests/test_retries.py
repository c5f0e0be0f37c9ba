"""The SDK's retries, against a scripted local server (stub.py): 429 and 503 with and
without Retry-After, dropped connections, and what is never retried."""

from __future__ import annotations

import unittest

from layers_connect import LayersError
from stub import TransportTest, error_body


class RetryTests(TransportTest):
    def test_a_503_is_retried_after_its_retry_after(self) -> None:
        slept = self.no_sleep()
        stub = self.stub((503, {"Retry-After": "2"}, error_body("UNAVAILABLE")), (200, {}, {"data": [], "nextCursor": None}))
        self.assertEqual(stub.client().accounts.list("prj_1")["data"], [])
        self.assertEqual((slept, len(stub.requests)), ([2.0], 2))

    def test_retry_after_is_capped_at_60_seconds(self) -> None:
        slept = self.no_sleep()
        stub = self.stub((429, {"Retry-After": "3600"}, error_body("RATE_LIMITED")), (200, {}, {"id": "sa_1"}))
        self.assertEqual(stub.client().accounts.get("sa_1"), {"id": "sa_1"})
        self.assertEqual(slept, [60.0])

    def test_without_retry_after_the_backoff_doubles_with_jitter(self) -> None:
        slept = self.no_sleep()
        stub = self.stub(*[(503, {}, error_body("UNAVAILABLE"))] * 3, (200, {}, {}))
        stub.client(max_retries=3).accounts.get("sa_1")
        self.assertEqual(len(slept), 3)
        for n, delay in enumerate(slept):
            self.assertTrue(0.25 * 2**n <= delay <= 0.5 * 2**n, (n, delay))

    def test_gives_up_after_max_retries_with_the_last_answer(self) -> None:
        slept = self.no_sleep()
        stub = self.stub(*[(429, {"Retry-After": "1"}, error_body("RATE_LIMITED"))] * 4)
        with self.assertRaises(LayersError) as caught:
            stub.client(max_retries=2).accounts.get("sa_1")
        self.assertEqual((caught.exception.status, caught.exception.code, caught.exception.retry_after), (429, "RATE_LIMITED", 1.0))
        self.assertEqual((len(stub.requests), slept), (3, [1.0, 1.0]))
        with self.assertRaises(LayersError):
            stub.client(max_retries=0).accounts.get("sa_1")
        self.assertEqual(len(stub.requests), 4)

    def test_other_errors_are_never_retried(self) -> None:
        slept = self.no_sleep()
        answers = [(400, "VALIDATION"), (401, "UNAUTHENTICATED"), (403, "FORBIDDEN_SCOPE"), (404, "NOT_FOUND"),
                   (409, "NEEDS_REAUTH"), (500, "INTERNAL"), (503, "PLATFORM_NOT_CONFIGURED")]
        stub = self.stub(*[(status, {"Retry-After": "1"}, error_body(code)) for status, code in answers])
        for status, code in answers:
            with self.assertRaises(LayersError) as caught:
                stub.client().accounts.refresh("sa_1")
            self.assertEqual((caught.exception.status, caught.exception.code), (status, code))
        self.assertEqual((len(stub.requests), slept), (len(answers), []))

    def test_create_oauth_url_keeps_its_idempotency_key_across_its_retries(self) -> None:
        self.no_sleep()
        stub = self.stub((503, {}, error_body("UNAVAILABLE")), "drop", (200, {}, {"state": "st_1"}), (200, {}, {"state": "st_2"}))
        client = stub.client()
        self.assertEqual(client.social.create_oauth_url("prj_1", "tiktok", "https://app/return")["state"], "st_1")
        self.assertEqual(client.social.create_oauth_url("prj_1", "tiktok", "https://app/return")["state"], "st_2")
        keys = [r["headers"]["Idempotency-Key"] for r in stub.requests]
        self.assertEqual(len(set(keys[:3])), 1)
        self.assertNotEqual(keys[3], keys[0])

    def test_a_dropped_connection_is_retried_for_reads_and_deletes_but_not_plain_posts(self) -> None:
        self.no_sleep()
        stub = self.stub("drop", (200, {}, {"id": "sa_1"}), "drop", (204, {}, b""), "drop")
        client = stub.client()
        self.assertEqual(client.accounts.get("sa_1"), {"id": "sa_1"})
        self.assertIsNone(client.accounts.disconnect("sa_1"))
        with self.assertRaises(LayersError) as caught:
            client.accounts.refresh("sa_1")
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "NETWORK_ERROR"))
        self.assertEqual([r["method"] for r in stub.requests], ["GET", "GET", "DELETE", "DELETE", "POST"])


if __name__ == "__main__":
    unittest.main()
