import { expect, type Page, test } from "@playwright/test";
import { api, type Instance, startInstance, startIntegrator } from "./support/layers";

/**
 * The whole connect flow in Chromium: key → authorize URL → sandbox consent
 * → callback → stored account → redirect → status, for both platforms.
 */
let layers: Instance;
let integrator: Awaited<ReturnType<typeof startIntegrator>>;

test.beforeAll(async () => {
  integrator = await startIntegrator();
  layers = await startInstance((url) => [`${integrator.url}/connect/done`, `${url}/connect/return`]);
});
test.afterAll(async () => {
  await layers?.stop();
  await integrator?.close();
});

async function createUrl(platform: "tiktok" | "instagram", returnUrl: string, extra: Record<string, unknown> = {}) {
  const res = await api(layers, "POST", `/v1/projects/${layers.projectId}/social/oauth-url`, { platform, returnUrl, ...extra });
  expect(res.status).toBe(200);
  return res.body as { authorizeUrl: string; state: string };
}

async function consent(page: Page, opts: { username?: string; untick?: string[]; action?: "Authorize" | "Cancel" } = {}) {
  await expect(page.getByText(/sandbox/i).first()).toBeVisible();
  if (opts.username) await page.getByRole("textbox", { name: "Username" }).fill(opts.username);
  for (const scope of opts.untick ?? []) {
    await page.getByRole("checkbox", { name: new RegExp(`^${scope.replace(/\./g, "\\.")}\\b`) }).uncheck();
  }
  await page.getByRole("button", { name: opts.action ?? "Authorize" }).click();
}

const status = async (state: string) => (await api(layers, "GET", `/v1/social/oauth-status/${state}`)).body;

test("TikTok: consent in the sandbox lands on the integrator's page on another origin, and the status completes", async ({ page }) => {
  const returnUrl = `${integrator.url}/connect/done?account=42`;
  const { authorizeUrl, state } = await createUrl("tiktok", returnUrl, { usageNote: "Acme Coffee" });
  await page.goto(authorizeUrl);
  await consent(page, { username: "acme_coffee" });
  await page.waitForURL(`${integrator.url}/**`);
  expect(page.url()).toBe(returnUrl);
  await expect(page.locator("#error")).toHaveText("none");

  const result = await status(state);
  expect(result).toMatchObject({ status: "completed", platform: "tiktok", usageNote: "Acme Coffee", missingScopes: [] });
  const account = (await api(layers, "GET", `/v1/social/accounts/${result.socialAccountId}`)).body;
  expect(account).toMatchObject({ platform: "tiktok", username: "acme_coffee", livemode: false, status: "active" });
  expect(JSON.stringify(account)).not.toMatch(/act\.|rft\./);
});

test("Instagram: consent in the sandbox lands on the hosted return page naming the account", async ({ page }) => {
  const { authorizeUrl, state } = await createUrl("instagram", `${layers.url}/connect/return`);
  await page.goto(authorizeUrl);
  await consent(page, { username: "acme_insta" });
  await expect(page.getByRole("heading", { name: "Your Instagram account @acme_insta is connected." })).toBeVisible();
  await expect(page.getByText("You can close this tab.")).toBeVisible();
  const result = await status(state);
  expect(result.status).toBe("completed");
  const account = (await api(layers, "GET", `/v1/social/accounts/${result.socialAccountId}`)).body;
  expect(account.platformUserId).toMatch(/^\d{17,}$/);
  expect(BigInt(account.platformUserId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
});

test("Cancel sends the end-customer back with layers_oauth_error=access_denied", async ({ page }) => {
  for (const platform of ["tiktok", "instagram"] as const) {
    const returnUrl = `${integrator.url}/connect/done`;
    const { authorizeUrl, state } = await createUrl(platform, returnUrl);
    await page.goto(authorizeUrl);
    await consent(page, { action: "Cancel" });
    await page.waitForURL(`${integrator.url}/**`);
    expect(page.url()).toBe(`${returnUrl}?layers_oauth_error=access_denied`);
    expect(await status(state)).toMatchObject({ status: "failed", error: { code: "access_denied" } });
  }
});

test("unticking a scope completes with it missing; unticking the basic scope fails with scope_not_granted", async ({ page }) => {
  const partial = await createUrl("tiktok", `${integrator.url}/connect/done`);
  await page.goto(partial.authorizeUrl);
  await consent(page, { username: "partial_user", untick: ["video.publish"] });
  await page.waitForURL(`${integrator.url}/**`);
  expect(await status(partial.state)).toMatchObject({ status: "completed", missingScopes: ["video.publish"] });
  expect((await status(partial.state)).grantedScopes).not.toContain("video.publish");

  const basic = await createUrl("instagram", `${integrator.url}/connect/done`);
  await page.goto(basic.authorizeUrl);
  await consent(page, { username: "basic_user", untick: ["instagram_business_basic"] });
  await page.waitForURL(`${integrator.url}/**`);
  expect(new URL(page.url()).searchParams.get("layers_oauth_error")).toBe("scope_not_granted");
  expect((await status(basic.state)).status).toBe("failed");
});

test("reconnecting the same account keeps its socialAccountId", async ({ page }) => {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { authorizeUrl, state } = await createUrl("tiktok", `${integrator.url}/connect/done`);
    await page.goto(authorizeUrl);
    await consent(page, { username: "same_creator" });
    await page.waitForURL(`${integrator.url}/**`);
    ids.push((await status(state)).socialAccountId);
  }
  expect(ids[0]).toMatch(/^sa_/);
  expect(ids[1]).toBe(ids[0]);
  const list = (await api(layers, "GET", `/v1/projects/${layers.projectId}/social/accounts`)).body;
  expect(list.data.filter((a: { id: string }) => a.id === ids[0])).toHaveLength(1);
});

test("hosted connect page → consent → hosted return page", async ({ page }) => {
  const { state } = await createUrl("tiktok", `${layers.url}/connect/return`);
  await page.goto(`${layers.url}/connect/${state}`);
  await expect(page.getByRole("heading", { name: "Connect your TikTok account" })).toBeVisible();
  await expect(page.getByText("Acme Studio")).toBeVisible();
  await page.getByRole("button", { name: "Continue to TikTok" }).click();
  await consent(page, { username: "hosted_flow" });
  await expect(page.getByRole("heading", { name: "Your TikTok account @hosted_flow is connected." })).toBeVisible();
  expect(new URL(page.url()).searchParams.get("state")).toBe(state);

  // The used link now says so, and the pages cannot be framed.
  const again = await page.goto(`${layers.url}/connect/${state}`);
  await expect(page.getByRole("heading", { name: "This connection link was already used" })).toBeVisible();
  expect(again?.headers()["x-frame-options"]).toBe("DENY");
  expect(again?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});

test("an unknown state on the callback renders the hosted error page with HTTP 400", async ({ page }) => {
  const res = await page.goto(`${layers.url}/v1/social/oauth/callback/tiktok?code=x&state=st_00000000000000000000000000000000`);
  expect(res?.status()).toBe(400);
  await expect(page.getByRole("heading", { name: "This connection link is not valid" })).toBeVisible();
});
