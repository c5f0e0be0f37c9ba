import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/live";
import { cleanEnv, freePort, freshDataDir, npmStart, type Proc } from "./support/processes";

/**
 * The console end to end in Chromium: setup → sign in → project → key →
 * allowlist → a sandbox connection made with that key shows up → revoking the
 * key locks the API out; and a member cannot create keys.
 */
test.describe.configure({ mode: "serial" });

let server: Proc;
let url: string;
const owner = { email: "ada@acme.example", password: "a long enough password" };
const member = { email: "max@acme.example", password: "another long password" };

test.beforeAll(async () => {
  const port = await freePort();
  url = `http://localhost:${port}`;
  server = npmStart(cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: freshDataDir(), LAYERS_PUBLIC_URL: url }));
  await server.waitFor(/Console:/);
});
test.afterAll(async () => {
  await server?.stop();
});

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
}

async function nav(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

async function oauthUrl(key: string, projectId: string, returnUrl: string) {
  return fetch(`${url}/v1/projects/${projectId}/social/oauth-url`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ platform: "tiktok", returnUrl }),
  });
}

test("an admin sets up, makes a project and a key, allowlists a URL and watches a connection arrive; revoking the key locks the API out", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });

  // No user yet: the console sends the first visitor to the one-time setup.
  await page.goto(`${url}/console`);
  await expect(page.getByRole("heading", { name: "Set up Layers Connect" })).toBeVisible();
  // The one-time code is in what `npm start` printed, never in the page.
  const setupCode = server.output.match(/Setup code: (\S+)/)?.[1];
  expect(setupCode, server.output).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await page.getByLabel("Setup code").fill(setupCode!);
  await page.getByLabel("Organization name").fill("Acme");
  await page.getByLabel("Your name").fill("Ada");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  // npm start seeded the demo organization: setup makes Ada its owner, renamed Acme.
  await page.getByRole("button", { name: "Become its owner" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  // Sign out and in again through the sign-in form; a wrong password is refused in words.
  await signOut(page);
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("not right");
  await signIn(page, url, owner);

  // A project.
  await nav(page, "Projects");
  await page.getByLabel("Project name").fill("Web app");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByText("Project “Web app” created.")).toBeVisible();
  const projects = await (await page.request.get(`${url}/api/trpc/projects.list`)).json();
  const projectId: string = projects.result.data.find((p: { name: string }) => p.name === "Web app").id;

  // A key, shown once, copied.
  await nav(page, "API keys");
  await page.getByLabel("Name", { exact: true }).fill("Backend");
  await page.getByRole("radio", { name: "Test" }).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  const keyField = page.getByLabel("New API key");
  await expect(keyField).toHaveValue(/^lp_test_/);
  const key = await keyField.inputValue();
  await page.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(key)).toHaveCount(0);

  // Without an allowlist entry the API refuses the returnUrl...
  const returnUrl = `${url}/connect/return`;
  expect((await oauthUrl(key, projectId, returnUrl)).status).toBe(403);

  // ...so allowlist it on the key's page.
  await page.getByRole("link", { name: "Backend" }).click();
  await expect(page.getByRole("heading", { name: "Allowlist" })).toBeVisible();
  await page.getByLabel("Return URL").fill(returnUrl);
  await page.getByRole("button", { name: "Add URL" }).click();
  await expect(page.getByRole("button", { name: `Remove ${returnUrl}` })).toBeVisible();
  const keyPage = page.url();

  // The integrator's side: create the URL with the key and connect in the sandbox.
  const created = await oauthUrl(key, projectId, returnUrl);
  expect(created.status).toBe(200);
  const { authorizeUrl, state } = await created.json();
  await page.goto(authorizeUrl);
  await page.getByRole("textbox", { name: "Username" }).fill("console_watcher");
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page.getByRole("heading", { name: "Your TikTok account @console_watcher is connected." })).toBeVisible();

  // The attempt and the account show in the console.
  await page.goto(`${url}/console/attempts`);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: state }) });
  await expect(row).toContainText(/completed/i);
  await expect(row).toContainText("Web app");
  await nav(page, "Accounts");
  await expect(page.getByRole("rowheader", { name: "@console_watcher" })).toBeVisible();

  await nav(page, "Overview");
  await expect(page.getByRole("heading", { name: "Connection success, last 7 days" })).toBeVisible();
  await page.screenshot({ path: "docs/console-overview.png", fullPage: true });

  // Revoke the key (after confirming): the same REST call is now 401.
  await page.goto(keyPage);
  await page.getByRole("button", { name: "Revoke key" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.getByRole("button", { name: "Revoke key" })).toHaveCount(0);
  const after = await oauthUrl(key, projectId, returnUrl);
  expect(after.status).toBe(401);
  expect((await after.json()).error.code).toBe("UNAUTHENTICATED");

  // The audit log says who did it.
  await nav(page, "Audit log");
  await expect(page.getByRole("main")).toContainText(owner.email);
});

test("signing out ends the session everywhere: a copied cookie no longer opens the console", async ({ page, browser }) => {
  await signIn(page, url, owner);
  const copied = await page.context().storageState();
  await signOut(page);
  const elsewhere = await browser.newContext({ storageState: copied });
  const other = await elsewhere.newPage();
  await other.goto(`${url}/console`);
  await expect(other.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await elsewhere.close();
});

test("a member cannot create keys: the UI does not offer it and the procedure refuses", async ({ page }) => {
  await signIn(page, url, owner);
  await nav(page, "Members");
  await page.getByLabel("Email").fill(member.email);
  await page.getByLabel("Role", { exact: true }).selectOption("member");
  await page.getByLabel("Initial password").fill(member.password);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByText(`${member.email} can now sign in.`)).toBeVisible();
  // The owner can change the member's role, and back.
  const memberRole = page.getByLabel(`Role of ${member.email}`);
  await memberRole.selectOption("admin");
  await expect(memberRole).toHaveValue("admin");
  await page.reload();
  await expect(page.getByLabel(`Role of ${member.email}`)).toHaveValue("admin");
  await page.getByLabel(`Role of ${member.email}`).selectOption("member");
  await expect(page.getByLabel(`Role of ${member.email}`)).toHaveValue("member");
  await signOut(page);

  await signIn(page, url, member);
  await nav(page, "API keys");
  await expect(page.getByRole("heading", { name: "API keys" }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Create API key" })).toHaveCount(0);
  await expect(page.getByLabel("Name", { exact: true })).toHaveCount(0);

  const refused = await page.request.post(`${url}/api/trpc/apiKeys.create`, {
    headers: { origin: url, "content-type": "application/json" },
    data: { name: "sneaky", scopes: ["social:write"], mode: "live", allow: [] },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.data.code).toBe("FORBIDDEN");

  // A cross-site post is refused before any procedure runs, whoever is signed in.
  const crossSite = await page.request.post(`${url}/api/trpc/projects.create`, {
    headers: { origin: "https://evil.example.com", "content-type": "application/json" },
    data: { name: "csrf" },
  });
  expect(crossSite.status()).toBe(403);
});

test("an owner removes a member: their session ends at once; the last owner cannot be demoted", async ({ page, browser }) => {
  const elsewhere = await browser.newContext();
  const memberPage = await elsewhere.newPage();
  await signIn(memberPage, url, member);

  await signIn(page, url, owner);
  await nav(page, "Members");
  // The only owner: making themselves an admin is refused in words.
  await page.getByLabel(`Role of ${owner.email}`).selectOption("admin");
  await expect(page.getByRole("alert").filter({ hasText: "needs an owner" })).toBeVisible();
  await expect(page.getByLabel(`Role of ${owner.email}`)).toHaveValue("owner");

  await page.getByRole("button", { name: `Remove ${member.email}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes, remove" }).click();
  await expect(page.getByRole("rowheader", { name: member.email })).toHaveCount(0);

  await memberPage.goto(`${url}/console`);
  await expect(memberPage.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await elsewhere.close();
});
