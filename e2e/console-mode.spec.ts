import { expect, type Page, test } from "@playwright/test";
import type { LiveTikTok } from "../test-support/liveTikTok";
import type { Instance } from "./support/layers";
import { connectLive, connectSandbox, useLiveInstance } from "./support/live";

/**
 * The console shows test and live data apart: with a live key the console
 * opens in live mode; the "Test mode" switch shows the sandbox's attempts and
 * accounts instead, under a banner, and never both in one list.
 */
const owner = { email: "mode@acme.example", password: "a long enough password", role: "owner" } as const;
const fixture = useLiveInstance([owner]);
let tiktok: LiveTikTok;
let instance: Instance;
let liveKey: string;
test.beforeAll(() => void ({ tiktok, instance, liveKey } = fixture));

const attemptLink = (page: Page, state: string) => page.getByRole("link", { name: state, exact: true });

test("switching mode changes what the accounts and attempts pages list", async ({ page }) => {
  const { state: testState } = await connectSandbox(page, instance, "sandbox_person");
  const live = await connectLive(instance, liveKey, tiktok, { openId: "live_open_id", username: "live_person" });

  await page.goto(`${instance.url}/console/sign-in`);
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  // The organization has a live key: the console opens in live mode.
  const testMode = page.getByRole("switch", { name: "Test mode" });
  await expect(testMode).not.toBeChecked();
  await expect(page.getByRole("note")).toHaveCount(0);

  await page.goto(`${instance.url}/console/accounts`);
  await expect(page.getByRole("rowheader", { name: "@live_person" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "@sandbox_person" })).toHaveCount(0);

  await testMode.click();
  await expect(testMode).toBeChecked();
  await expect(page.getByRole("note")).toContainText("Test mode");
  await expect(page.getByRole("rowheader", { name: "@sandbox_person" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "@live_person" })).toHaveCount(0);

  // The choice holds across pages (and reloads).
  await page.goto(`${instance.url}/console/attempts`);
  await expect(testMode).toBeChecked();
  await expect(attemptLink(page, testState)).toBeVisible();
  await expect(attemptLink(page, live.state)).toHaveCount(0);

  await testMode.click();
  await expect(testMode).not.toBeChecked();
  await expect(attemptLink(page, live.state)).toBeVisible();
  await expect(attemptLink(page, testState)).toHaveCount(0);
  await expect(page.getByRole("note")).toHaveCount(0);
});
