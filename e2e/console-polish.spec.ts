import { execFileSync } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";
import { type Instance, startInstance } from "./support/layers";
import { signIn } from "./support/live";

/**
 * The console's first hour, polished: the key form says what each mode needs
 * and what this instance lacks, the new-key panel gives the project ids and
 * a curl that works as shown, the allowlist says when a URL is already there
 * or has no scheme, an attempt that does not exist is a not-found page in the
 * console, and every create form sits in the same card above its list.
 */
test.describe.configure({ mode: "serial" });

const owner = { email: "polish-owner@acme.example", password: "a long enough password" };
let instance: Instance;

test.beforeAll(async () => {
  instance = await startInstance((url) => [`${url}/connect/return`], {
    // No platform app on this instance, whatever the shell running the tests has set.
    env: { TIKTOK_CLIENT_KEY: "", TIKTOK_CLIENT_SECRET: "", INSTAGRAM_CLIENT_ID: "", INSTAGRAM_CLIENT_SECRET: "" },
    seed: ({ orgId }) => [{ args: ["users", "create", "--org", orgId, "--email", owner.email, "--role", "owner"], input: `${owner.password}\n` }],
  });
});
test.afterAll(async () => {
  await instance?.stop();
});

async function openKeys(page: Page) {
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "API keys", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
}

const TIKTOK_WARNING =
  "This instance has no TikTok app credentials: live oauth-url requests will answer 503 PLATFORM_NOT_CONFIGURED until TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are set.";
const INSTAGRAM_WARNING =
  "This instance has no Instagram app credentials: live oauth-url requests will answer 503 PLATFORM_NOT_CONFIGURED until INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET are set.";

test("the key form's mode hint follows the chosen mode, and live warns that this instance has no TikTok or Instagram app credentials", async ({ page }) => {
  await signIn(page, instance.url, owner);
  await openKeys(page);
  const mode = page.getByRole("group", { name: "Mode" });

  await expect(page.getByRole("radio", { name: "Test" })).toBeChecked();
  await expect(mode).toContainText("A test key is for the sandbox: no platform app needed.");
  await expect(page.getByText(TIKTOK_WARNING)).toHaveCount(0);

  await page.getByRole("radio", { name: "Live" }).check();
  await expect(mode).toContainText("A live key uses your TikTok/Instagram apps.");
  await expect(mode).not.toContainText("for the sandbox");
  await expect(mode.getByText(TIKTOK_WARNING)).toBeVisible();
  await expect(mode.getByText(INSTAGRAM_WARNING)).toBeVisible();

  await page.getByRole("radio", { name: "Test" }).check();
  await expect(mode).toContainText("A test key is for the sandbox: no platform app needed.");
  await expect(page.getByText(TIKTOK_WARNING)).toHaveCount(0);
  await expect(page.getByText(INSTAGRAM_WARNING)).toHaveCount(0);
});

test("a live key made despite the warning is refused as it said: 503 PLATFORM_NOT_CONFIGURED", async ({ page }) => {
  await signIn(page, instance.url, owner);
  await openKeys(page);
  const returnUrl = `${instance.url}/connect/return`;
  await page.getByLabel("Name", { exact: true }).fill("Live without apps");
  await page.getByRole("radio", { name: "Live" }).check();
  await expect(page.getByText(TIKTOK_WARNING)).toBeVisible();
  await page.getByLabel("Allowed return URLs").fill(returnUrl);
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByLabel("New API key")).toHaveValue(/^lp_live_/);
  const key = await page.getByLabel("New API key").inputValue();
  const refused = await fetch(`${instance.url}/v1/projects/${instance.projectId}/social/oauth-url`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ platform: "tiktok", returnUrl }),
  });
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("PLATFORM_NOT_CONFIGURED");
  await page.getByRole("button", { name: "Done" }).click();
});

test("the new-key panel shows the organization's project ids and a curl that creates an authorize URL as shown; without a return URL it says what to replace", async ({ page }) => {
  await signIn(page, instance.url, owner);
  await openKeys(page);
  const returnUrl = `${instance.url}/connect/return`;

  await page.getByLabel("Name", { exact: true }).fill("Curl backend");
  await page.getByLabel("Allowed return URLs").fill(returnUrl);
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByLabel("New API key")).toHaveValue(/^lp_test_/);
  const key = await page.getByLabel("New API key").inputValue();

  const panel = page.getByRole("region", { name: "API key “Curl backend” created" });
  await expect(panel.getByRole("list", { name: "Project ids" })).toContainText(`Acme Studio: ${instance.projectId}`);
  const curl = await panel.getByLabel("Create an authorize URL with this key (curl)").inputValue();
  expect(curl).toBe(
    [
      `curl -X POST ${instance.url}/v1/projects/${instance.projectId}/social/oauth-url \\`,
      `  -H "Authorization: Bearer ${key}" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -d '${JSON.stringify({ platform: "tiktok", returnUrl, usageNote: "First connection" })}'`,
    ].join("\n"),
  );
  // As copied into a shell: the instance answers with a sandbox authorize URL.
  const answer = JSON.parse(execFileSync("sh", ["-c", `${curl} --silent --show-error`], { encoding: "utf8" })) as { authorizeUrl?: string; state?: string };
  expect(answer.authorizeUrl).toContain(`${instance.url}/sandbox/tiktok/`);
  expect(answer.state).toMatch(/^st_/);
  await panel.getByRole("button", { name: "Done" }).click();

  // A key with no return URL: the curl holds a placeholder, and the panel says to replace it.
  await page.getByLabel("Name", { exact: true }).fill("No return URL yet");
  await page.getByRole("button", { name: "Create API key" }).click();
  const bare = page.getByRole("region", { name: "API key “No return URL yet” created" });
  await expect(bare.getByLabel("Create an authorize URL with this key (curl)")).toHaveValue(/"returnUrl":"REPLACE_WITH_A_RETURN_URL_ON_THIS_KEYS_ALLOWLIST"/);
  await expect(bare).toContainText("This key has no return URL yet");
  await expect(bare).toContainText("in place of REPLACE_WITH_A_RETURN_URL_ON_THIS_KEYS_ALLOWLIST");
  await bare.getByRole("button", { name: "Done" }).click();
});

test("adding a return URL already on the allowlist, with the host in capitals, says it is already there instead of silently succeeding", async ({ page }) => {
  await signIn(page, instance.url, owner);
  await page.goto(`${instance.url}/console/keys/${instance.keyId}`);
  await expect(page.getByRole("heading", { name: "Allowlist" })).toBeVisible();

  await page.getByLabel("Return URL").fill("https://app.example.com/cb");
  await page.getByRole("button", { name: "Add URL" }).click();
  await expect(page.getByRole("button", { name: "Remove https://app.example.com/cb" })).toBeVisible();
  await expect(page.getByText("is already on this key's allowlist")).toHaveCount(0);

  await page.getByLabel("Return URL").fill("HTTPS://APP.EXAMPLE.COM/cb");
  await page.getByRole("button", { name: "Add URL" }).click();
  await expect(page.getByRole("status").filter({ hasText: "https://app.example.com/cb is already on this key's allowlist." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Remove https://app.example.com/cb" })).toHaveCount(1);
  await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(2);
});

test("a return URL without a scheme is refused with what is missing and what to write", async ({ page }) => {
  await signIn(page, instance.url, owner);
  await page.goto(`${instance.url}/console/keys/${instance.keyId}`);
  await page.getByLabel("Return URL").fill("localhost:3000/cb");
  await page.getByRole("button", { name: "Add URL" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "has no scheme" })).toContainText(
    '"localhost:3000/cb" has no scheme: write http://localhost:3000/cb (http only for localhost and 127.0.0.1) or https://…',
  );
  await expect(page.getByRole("button", { name: "Remove http://localhost:3000/cb" })).toHaveCount(0);

  await page.getByLabel("Return URL").fill("app.example.com/cb");
  await page.getByRole("button", { name: "Add URL" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "has no scheme" })).toContainText('"app.example.com/cb" has no scheme: write https://app.example.com/cb');
});

test("a malformed attempt id and an unknown well-formed one show the console's not-found page, answered 404, with a link back to Attempts", async ({ page }) => {
  await signIn(page, instance.url, owner);
  for (const state of ["not-a-state", "st_0000000000000000000000000000000Z"]) {
    const response = await page.goto(`${instance.url}/console/attempts/${state}`);
    expect(response?.status(), state).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "This attempt was not found" })).toBeVisible();
    // The console's own layout: its navigation and the signed-in user are there.
    await expect(page.getByRole("navigation", { name: "Console" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(page.getByRole("main")).not.toContainText(/Internal|Application error|went wrong/i);
  }
  await page.getByRole("main").getByRole("link", { name: "Back to Attempts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Attempts" })).toBeVisible();
});

test("projects, keys and webhooks each have their create form in the same card above the list, under a heading of the same style", async ({ page }) => {
  await signIn(page, instance.url, owner);
  const pages = [
    { path: "projects", create: "Create project", list: "All projects" },
    { path: "keys", create: "Create API key", list: "All keys" },
    { path: "webhooks", create: "Create webhook endpoint", list: "Endpoints" },
  ];
  const looks: string[] = [];
  for (const { path, create, list } of pages) {
    await page.goto(`${instance.url}/console/${path}`);
    const createHeading = page.getByRole("heading", { level: 2, name: create, exact: true });
    const listHeading = page.getByRole("heading", { level: 2, name: list, exact: true });
    await expect(createHeading).toBeVisible();
    await expect(listHeading).toBeVisible();
    // Above the list.
    const [createBox, listBox] = [await createHeading.boundingBox(), await listHeading.boundingBox()];
    expect(createBox!.y, path).toBeLessThan(listBox!.y);
    // The same card and heading: the heading's and its card's computed style, compared across the pages.
    looks.push(
      await createHeading.evaluate((heading) => {
        const card = heading.closest("section")!;
        const [h, c] = [getComputedStyle(heading), getComputedStyle(card)];
        return JSON.stringify({
          heading: [h.fontSize, h.fontWeight, h.marginBottom],
          card: [c.backgroundColor, c.borderTopWidth, c.borderTopStyle, c.borderRadius, c.paddingTop, c.paddingLeft],
          first: card.firstElementChild === heading,
        });
      }),
    );
  }
  expect(new Set(looks).size, looks.join("\n")).toBe(1);
  expect(JSON.parse(looks[0]!).first).toBe(true);
});
