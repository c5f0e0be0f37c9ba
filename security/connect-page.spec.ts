import { type Browser, expect, type Page, test } from "@playwright/test";
import { api, type Instance, startInstance } from "../e2e/support/layers";

/**
 * Issue 8 item 9 over HTTP and in Chromium: the hosted connect page holds no
 * authorize URL, a GET of it uses nothing up, the first browser to press its
 * button is bound to the attempt (a __Host- cookie, on http://localhost too)
 * and any other browser is refused, on the page and at the callback.
 */
let instance: Instance;

test.beforeAll(async () => {
  instance = await startInstance((url) => [`${url}/connect/return`]);
});
test.afterAll(async () => instance.stop());

async function createAttempt(platform: "tiktok" | "instagram" = "tiktok") {
  const res = await api(instance, "POST", `/v1/projects/${instance.projectId}/social/oauth-url`, { platform, returnUrl: `${instance.url}/connect/return` });
  expect(res.status).toBe(200);
  return res.body as { state: string; authorizeUrl: string };
}

const status = async (state: string) => (await api(instance, "GET", `/v1/social/oauth-status/${state}`)).body;

/** A browser of its own: its own cookies, as a second person's would be. */
async function browserPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function pressButton(page: Page, state: string, platform = "TikTok") {
  await page.goto(`${instance.url}/connect/${state}`);
  await page.getByRole("button", { name: `Continue to ${platform}` }).click();
}

async function authorize(page: Page, username: string) {
  await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
  await page.getByRole("textbox", { name: "Username" }).fill(username);
  await page.getByRole("button", { name: "Authorize" }).click();
}

test("the page's HTML holds no authorize URL, client id or PKCE challenge: only a form that posts to Layers", async () => {
  const { state, authorizeUrl } = await createAttempt();
  const res = await fetch(`${instance.url}/connect/${state}`);
  expect(res.status).toBe(200);
  const html = await res.text();
  const challenge = new URL(authorizeUrl).searchParams.get("code_challenge")!;
  for (const secret of [challenge, "code_challenge", "client_key", "/sandbox/", "oauth/callback", "redirect_uri"]) expect(html).not.toContain(secret);
  const form = html.match(/<form[^>]*>/)?.[0];
  expect(form).toContain(`action="/connect/${state}/go"`);
  expect(form).toContain('method="post"');
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
});

test("link scanners that GET the page (and the button's address) consume nothing", async ({ browser }) => {
  const { state } = await createAttempt();
  for (let i = 0; i < 3; i++) {
    expect((await fetch(`${instance.url}/connect/${state}`)).status).toBe(200);
    const go = await fetch(`${instance.url}/connect/${state}/go`, { redirect: "manual" });
    expect(go.status).toBe(405);
    expect(go.headers.get("location")).toBeNull();
    expect(go.headers.get("set-cookie")).toBeNull();
  }
  // The end-customer, after the scanners, still goes on.
  const page = await browserPage(browser);
  await pressButton(page, state);
  await authorize(page, "after_scanners");
  await expect(page.getByRole("heading", { name: "Your TikTok account @after_scanners is connected." })).toBeVisible();
  expect((await status(state)).status).toBe("completed");
});

test("the first browser is bound; a second browser is refused, on the page and at the callback, while the first goes on", async ({ browser }) => {
  const { state, authorizeUrl } = await createAttempt("instagram");
  const first = await browserPage(browser);
  await pressButton(first, state, "Instagram");
  await expect(first.getByRole("button", { name: "Authorize" })).toBeVisible();
  expect(first.url()).toBe(authorizeUrl);
  // Chromium keeps the __Host- cookie on http://localhost (a secure context).
  const [cookie] = (await first.context().cookies(instance.url)).filter((c) => c.name.startsWith("__Host-"));
  expect(cookie).toMatchObject({ name: "__Host-layers_connect", httpOnly: true, secure: true, sameSite: "Lax", path: "/" });

  const second = await browserPage(browser);
  await second.goto(`${instance.url}/connect/${state}`);
  const [refused] = await Promise.all([
    second.waitForResponse((r) => r.url().endsWith(`/connect/${state}/go`)),
    second.getByRole("button", { name: "Continue to Instagram" }).click(),
  ]);
  expect(refused.status()).toBe(403);
  await expect(second.getByRole("heading", { name: "This connection link was already opened in another browser" })).toBeVisible();

  // The second browser knows the state; it makes the authorize URL itself and consents with its own account.
  await second.goto(authorizeUrl);
  await authorize(second, "someone_else");
  await expect(second.getByRole("heading", { name: "This connection was started in another browser" })).toBeVisible();
  expect((await status(state)).status).toBe("pending");

  // The first browser may press again (back to its page) and finishes.
  await pressButton(first, state, "Instagram");
  await authorize(first, "the_customer");
  await expect(first.getByRole("heading", { name: "Your Instagram account @the_customer is connected." })).toBeVisible();
  const done = await status(state);
  expect(done.status).toBe("completed");
  const account = (await api(instance, "GET", `/v1/social/accounts/${done.socialAccountId}`)).body;
  expect(account.username).toBe("the_customer");
});

test("a POST from another origin is refused and binds nothing, from a real browser or a forged client", async ({ page, browser }) => {
  const { state } = await createAttempt();
  const forged = await fetch(`${instance.url}/connect/${state}/go`, { method: "POST", headers: { origin: "https://evil.example" }, redirect: "manual" });
  expect(forged.status).toBe(403);
  expect(forged.headers.get("location")).toBeNull();
  expect(forged.headers.get("set-cookie")).toBeNull();

  // Another site's page that submits the button's form on load.
  await page.route("http://evil.test/", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form method="post" action="${instance.url}/connect/${state}/go"></form><script>document.forms[0].submit()</script>`,
    }),
  );
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/connect/${state}/go`)), page.goto("http://evil.test/")]);
  expect(answer.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This request did not come from the connection page" })).toBeVisible();
  expect((await page.context().cookies(instance.url)).map((c) => c.name)).not.toContain("__Host-layers_connect");

  // Still unbound: the end-customer's own press goes through.
  const customer = await browserPage(browser);
  await pressButton(customer, state);
  await expect(customer.getByRole("button", { name: "Authorize" })).toBeVisible();
});

test("a finished link says so when its button is pressed", async ({ page }) => {
  const { state } = await createAttempt();
  await pressButton(page, state);
  await authorize(page, "finished_user");
  await expect(page.getByRole("heading", { name: "Your TikTok account @finished_user is connected." })).toBeVisible();
  await page.goto(`${instance.url}/connect/${state}`);
  await expect(page.getByRole("heading", { name: "This connection link was already used" })).toBeVisible();
  // A stale tab's button press lands on the same words.
  const stale = await fetch(`${instance.url}/connect/${state}/go`, { method: "POST", headers: { origin: instance.url }, redirect: "manual" });
  expect(stale.status).toBe(303);
  expect(stale.headers.get("location")).toBe(`${instance.url}/connect/${state}`);
});

test("answers that load nothing (the callback's, the button's) carry the strict policy; the page keeps the site's", async () => {
  const strict = { csp: "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'", referrer: "no-referrer" };
  const policy = (res: Response) => ({ csp: res.headers.get("content-security-policy"), referrer: res.headers.get("referrer-policy") });
  const { state } = await createAttempt();

  const page = await fetch(`${instance.url}/connect/${state}`);
  expect(policy(page)).toEqual({ csp: "frame-ancestors 'none'", referrer: "same-origin" });

  // The redirect to the platform carries the state: no referrer, even to our own sandbox.
  const pressed = await fetch(`${instance.url}/connect/${state}/go`, { method: "POST", headers: { origin: instance.url }, redirect: "manual" });
  expect(pressed.status).toBe(303);
  expect(policy(pressed)).toEqual(strict);

  const unknown = await fetch(`${instance.url}/v1/social/oauth/callback/tiktok?state=st_01HXZ8K2M4P5QRS6TV7WXYZ9AB&code=abc`, { redirect: "manual" });
  expect(unknown.status).toBe(400);
  expect(unknown.headers.get("content-type")).toContain("text/html");
  expect(policy(unknown)).toEqual(strict);
});
