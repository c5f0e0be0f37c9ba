"""Accounts and webhook endpoints against the running API (started by sdk/python/python.test.ts):
every call, and pagination both by hand and with iterate."""

from __future__ import annotations

import unittest

from layers_connect import LayersError
from live import Env, connect


class AccountsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.env = Env()
        cls.layers = cls.env.client()

    def test_get_refresh_and_disconnect_a_connected_account(self) -> None:
        state = connect(self.layers, self.env, "py_lifecycle")
        account_id = self.layers.social.get_oauth_status(state)["socialAccountId"]
        account = self.layers.accounts.get(account_id)
        self.assertEqual((account["id"], account["username"], account["status"]), (account_id, "py_lifecycle", "active"))
        self.assertFalse([name for name in account if "token" in name.lower() and name != "accessTokenExpiresAt"])
        refreshed = self.layers.accounts.refresh(account_id)
        self.assertEqual(refreshed["id"], account_id)
        self.assertIsNotNone(refreshed["lastRefreshedAt"])
        self.assertIsNone(self.layers.accounts.disconnect(account_id))
        self.assertEqual(self.layers.accounts.get(account_id)["status"], "disconnected")
        with self.assertRaises(LayersError) as caught:
            self.layers.accounts.refresh(account_id)
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "NEEDS_REAUTH"))

    def test_list_pages_with_next_cursor(self) -> None:
        seen, cursor, pages = [], None, 0
        while True:
            page = self.layers.accounts.list(self.env.paged_project_id, limit=2, cursor=cursor)
            pages += 1
            self.assertLessEqual(len(page["data"]), 2)
            seen += [account["id"] for account in page["data"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
        self.assertEqual(seen, self.env.paged_account_ids)
        self.assertEqual(pages, 3)

    def test_list_without_a_limit_answers_the_first_page_of_50(self) -> None:
        page = self.layers.accounts.list(self.env.paged_project_id)
        self.assertEqual([a["id"] for a in page["data"]], self.env.paged_account_ids)
        self.assertIsNone(page["nextCursor"])

    def test_iterate_yields_every_account_across_pages(self) -> None:
        accounts = self.layers.accounts.iterate(self.env.paged_project_id, limit=2)
        self.assertEqual(next(accounts)["id"], self.env.paged_account_ids[0])
        self.assertEqual([self.env.paged_account_ids[0]] + [a["id"] for a in accounts], self.env.paged_account_ids)


class WebhookEndpointsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.env = Env()
        cls.layers = cls.env.client()

    def test_create_list_iterate_and_delete(self) -> None:
        project = self.env.paged_project_id
        made = [
            self.layers.webhook_endpoints.create(project, f"https://localhost:9/hooks/{n}", description=f"hook {n}")
            for n in range(3)
        ]
        for n, endpoint in enumerate(made):
            self.assertTrue(endpoint["id"].startswith("we_"))
            self.assertTrue(endpoint["secret"].startswith("whsec_"))
            self.assertEqual((endpoint["status"], endpoint["description"]), ("enabled", f"hook {n}"))
        first = self.layers.webhook_endpoints.list(project, limit=2)
        self.assertEqual([e["id"] for e in first["data"]], [made[0]["id"], made[1]["id"]])
        self.assertIsNotNone(first["nextCursor"])
        rest = self.layers.webhook_endpoints.list(project, limit=2, cursor=first["nextCursor"])
        self.assertEqual(([e["id"] for e in rest["data"]], rest["nextCursor"]), ([made[2]["id"]], None))
        listed = list(self.layers.webhook_endpoints.iterate(project, limit=2))
        self.assertEqual([e["id"] for e in listed], [e["id"] for e in made])
        self.assertFalse([e for e in listed if "secret" in e])
        for endpoint in made:
            self.assertIsNone(self.layers.webhook_endpoints.delete(endpoint["id"]))
        self.assertEqual(self.layers.webhook_endpoints.list(project)["data"], [])

    def test_create_with_chosen_events(self) -> None:
        events = ["social_account.connected", "social_account.needs_reauth"]
        endpoint = self.layers.webhook_endpoints.create(self.env.paged_project_id, "https://localhost:9/hooks/some", events=events)
        try:
            self.assertEqual(endpoint["events"], events)
            self.assertIsNone(endpoint["description"])
        finally:
            self.layers.webhook_endpoints.delete(endpoint["id"])


if __name__ == "__main__":
    unittest.main()
