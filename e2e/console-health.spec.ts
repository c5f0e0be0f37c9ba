import { expect, type Page, test } from "@playwright/test";
import type { LiveTikTok } from "../test-support/liveTikTok";
import type { Instance } from "./support/layers";
import { connectLive, connectSandbox, signIn, useLiveInstance } from "./support/live";

/**
 * Account health in the console: an admin reads each account's status,
 * token expiry and last refresh, presses "Refresh now" (a sandbox account
 * is refreshed; a live one the platform refuses turns "needs reauth", said
 * in the row), lists the accounts that need their end-customer, and finds
 * the worker process on the operations page. A member sees the health but
 * cannot refresh, and has no operations page.
 *
 * The live TikTok stand-in (test-support/liveTikTok.ts) issues tokens but
 * knows no refresh tokens: it answers a refresh with invalid_grant, which is
 * what TikTok answers once the end-customer has withdrawn the grant.
 */
test.describe.configure({ mode: "serial" });

const admin = { email: "ops-admin@acme.example", password: "a long enough password", role: "admin" } as const;
const member = { email: "ops-member@acme.example", password: "another long password", role: "member" } as const;
const fixture = useLiveInstance([admin, member]);
let tiktok: LiveTikTok;
let instance: Instance;
let liveKey: string;
let lapsedId: string;
test.beforeAll(() => void ({ tiktok, instance, liveKey } = fixture));

/** The row whose header is the account's handle (the display name, when there is one, follows it). */
const accountRow = (page: Page, handle: string) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${handle}(\\s|$)`) }) });

test("an admin reads account health, refreshes accounts, lists those that need the end-customer, and sees the worker", async ({ page }) => {
  await connectSandbox(page, instance, "fresh_person");
  lapsedId = (await connectLive(instance, liveKey, tiktok, { openId: "lapsed_open_id", username: "lapsed_person" })).accountId;
  await connectLive(instance, liveKey, tiktok, { openId: "steady_open_id", username: "steady_person" });
  await signIn(page, instance.url, admin);

  // The organization has a live key, so the console opens on live accounts. TikTok's tokens live a day; none was refreshed yet.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Accounts", exact: true }).click();
  const lapsed = accountRow(page, "@lapsed_person");
  await expect(lapsed).toContainText("Active");
  await expect(lapsed.getByText(/^Expires in (1 day|2[34] hours)$/)).toBeVisible();
  await expect(lapsed.locator("time", { hasText: /^Expires in / })).toHaveAttribute("title", /20\d\d/);
  await expect(lapsed.getByText("Never refreshed")).toBeVisible();

  // Refused for good: the row says why, and the account now needs its end-customer.
  await lapsed.getByRole("button", { name: "Refresh now @lapsed_person" }).click();
  await expect(page.getByRole("table").getByRole("alert")).toContainText(`${lapsedId} needs the end-customer`);
  await expect(lapsed).toContainText("Needs reauth");
  await expect(lapsed).toContainText("Access withdrawn");
  await expect(lapsed.getByRole("button", { name: /^Refresh now/ })).toHaveCount(0);

  // The filter lists only the accounts that need their end-customer, and stays in the URL.
  await page.getByLabel("Status").selectOption("needs_reauth");
  await expect(page).toHaveURL(/status=needs_reauth/);
  await expect(accountRow(page, "@steady_person")).toHaveCount(0);
  await expect(accountRow(page, "@lapsed_person")).toBeVisible();
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(accountRow(page, "@steady_person")).toBeVisible();

  // A sandbox account refreshes: the row shows the new refresh at once.
  const testMode = page.getByRole("switch", { name: "Test mode" });
  await testMode.click();
  await expect(testMode).toBeChecked();
  const fresh = accountRow(page, "@fresh_person");
  await expect(fresh.getByText("Never refreshed")).toBeVisible();
  await fresh.getByRole("button", { name: "Refresh now @fresh_person" }).click();
  await expect(fresh.getByRole("status")).toHaveText("Tokens refreshed.");
  await expect(fresh.getByText(/^Refreshed just now$/)).toBeVisible();
  await expect(fresh.getByText("Never refreshed")).toHaveCount(0);
  await expect(page.getByRole("table").getByRole("alert")).toHaveCount(0);

  // Operations: this `npm start` runs the workers (LAYERS_WORKER=on, the default), so there is no warning.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Operations", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Operations", level: 1 })).toBeVisible();
  const workers = page.getByRole("table", { name: /Processes/ }).getByRole("row").filter({ hasText: "Runs workers" });
  await expect(workers).toHaveCount(1);
  await expect(workers.getByRole("rowheader")).toHaveText("worker");
  await expect(page.getByRole("heading", { name: "No process is running the background workers" })).toHaveCount(0);
  await expect(page.getByRole("rowheader", { name: /^account-refresh/ })).toBeVisible();
  await expect(page.getByText("Next sweep due")).toBeVisible();
  await page.screenshot({ path: "docs/console-operations.png", fullPage: true });
});

test("a member reads account health but cannot refresh, and has no operations page", async ({ page }) => {
  await signIn(page, instance.url, member);
  await page.goto(`${instance.url}/console/accounts`);
  const lapsed = accountRow(page, "@lapsed_person");
  await expect(lapsed).toContainText("Needs reauth");
  await expect(accountRow(page, "@steady_person")).toContainText("Active");
  await expect(page.getByRole("button", { name: /^Refresh now/ })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Operations" })).toHaveCount(0);

  const refused = await page.request.post(`${instance.url}/api/trpc/accounts.refresh`, {
    headers: { origin: instance.url, "content-type": "application/json" },
    data: { id: lapsedId, mode: "live" },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.data.code).toBe("FORBIDDEN");

  await page.goto(`${instance.url}/console/operations`);
  await expect(page.getByText("only owners and admins see it")).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
});
