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

test("an unknown connect link is the hosted error page with HTTP 404, well-formed or not", async ({ page }) => {
  for (const state of ["st_00000000000000000000000000000000", "not-a-state"]) {
    const res = await page.goto(`${layers.url}/connect/${state}`);
    expect(res?.status(), state).toBe(404);
    await expect(page.getByRole("heading", { name: "This connection link is not valid" })).toBeVisible();
    await expect(page.getByText("Connection problem")).toBeVisible();
  }
});

/** What a visitor sees of a hosted page's frame: the header line, the badge, the heading and the card around them. */
async function frameOf(page: Page) {
  const heading = page.getByRole("heading", { level: 1 });
  return heading.evaluate((h1) => {
    const card = h1.parentElement!;
    const brand = card.firstElementChild as HTMLElement;
    const style = (el: Element, names: string[]) => Object.fromEntries(names.map((n) => [n, getComputedStyle(el).getPropertyValue(n)]));
    return {
      brand: { text: brand.textContent, ...style(brand, ["font-size", "font-weight", "text-transform", "color", "letter-spacing"]) },
      heading: style(h1, ["font-size", "line-height", "font-family"]),
      card: { ...style(card, ["max-width", "padding-top", "border-top-left-radius", "border-top-color", "background-color", "box-shadow"]), width: Math.round(card.getBoundingClientRect().width) },
    };
  });
}

test("the callback's error page has the same header and card as the other hosted pages", async ({ page }) => {
  await page.goto(`${layers.url}/connect/st_00000000000000000000000000000000`);
  const reactPage = await frameOf(page);
  await page.goto(`${layers.url}/v1/social/oauth/callback/tiktok?code=x&state=st_00000000000000000000000000000000`);
  const callbackPage = await frameOf(page);
  expect(reactPage.brand.text).toBe("Layers Connect");
  expect(callbackPage).toEqual(reactPage);
});

test("the connect page says when its link stops working in words and the visitor's own clock", async ({ browser }) => {
  const { state, expiresAt } = (await api(layers, "POST", `/v1/projects/${layers.projectId}/social/oauth-url`, { platform: "tiktok", returnUrl: `${layers.url}/connect/return` })).body;
  const context = await browser.newContext({ locale: "de-DE", timezoneId: "Asia/Kolkata" });
  try {
    const page = await context.newPage();
    await page.goto(`${layers.url}/connect/${state}`);
    const clock = new Intl.DateTimeFormat("de-DE", { hour: "numeric", minute: "2-digit", timeZone: "Asia/Kolkata" }).format(new Date(expiresAt));
    await expect(page.getByText(/This link stops working in (10|9) minutes \(at \d{1,2}:\d\d\)\./)).toBeVisible();
    await expect(page.getByText(`(at ${clock})`, { exact: false })).toBeVisible();
  } finally {
    await context.close();
  }
});

test("an unknown page is a branded 404 with the way to the console and the API reference", async ({ page }) => {
  const res = await page.goto(`${layers.url}/no/such/page`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await expect(page.getByText("Layers Connect", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "console" })).toHaveAttribute("href", "/console");
  await expect(page.getByRole("link", { name: "API reference" })).toHaveAttribute("href", "/docs");
});
