import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { api, type Instance, startInstance } from "./support/layers";

/**
 * The reference page's two SDK snippets (kept verbatim in the README, between
 * `<!-- seed-typescript -->` / `<!-- seed-python -->` markers) run as printed
 * against `npm start`, with only the project id swapped for the instance's,
 * each all the way to a completed sandbox connection:
 * - the TypeScript one in Chromium, as an integrator's page would run it
 *   (with a test key, which the SDK allows in a browser): the built SDK
 *   (sdk/typescript/dist) is served at the instance's origin, and the
 *   snippet's own `window.location.assign(authorizeUrl)` takes the browser to
 *   the sandbox's consent page;
 * - the Python one with the machine's python3 and sdk/python; its
 *   `result["authorizeUrl"]` is opened in the browser.
 * The seed's returnUrl (an integrator's page on another host) is on the
 * key's allowlist; the browser's visit there is answered by the test.
 */
const SEED_PROJECT_ID = "prj_01HX9Y7K8M2P4RSTUV56789AB";
const SEED_RETURN_URL = "https://app.gicgrowth.com/connect/tiktok/return";
const SDK_DIST = join(process.cwd(), "sdk/typescript/dist");

let instance: Instance;
test.beforeAll(async () => {
  instance = await startInstance(() => [SEED_RETURN_URL]);
});
test.afterAll(() => instance?.stop());

/** The code block after `marker` in the README. */
function readmeSnippet(marker: string): string {
  const readme = readFileSync("README.md", "utf8");
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no code block after <!-- ${marker} -->`);
  return match[1]!.replaceAll(SEED_PROJECT_ID, instance.projectId);
}

/** The integrator's return page (another host, unreachable here): the browser's arrival there is answered by the test. */
async function answerReturnPage(page: Page) {
  await page.route(`${SEED_RETURN_URL}**`, (route) => route.fulfill({ contentType: "text/html", body: "<h1>Back at the integrator</h1>" }));
}

/** Consents on the sandbox page the browser is on, and waits for the integrator's returnUrl. */
async function consent(page: Page, username: string) {
  await page.getByRole("textbox", { name: "Username" }).fill(username);
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL(SEED_RETURN_URL);
  await expect(page.getByRole("heading", { name: "Back at the integrator" })).toBeVisible();
}

async function expectCompleted(state: string, username: string) {
  const status = await api(instance, "GET", `/v1/social/oauth-status/${state}`);
  expect(status.body).toMatchObject({ state, status: "completed", projectId: instance.projectId, usageNote: "Connecting Acme Coffee" });
  const account = await api(instance, "GET", `/v1/social/accounts/${status.body.socialAccountId}`);
  expect(account.body).toMatchObject({ platform: "tiktok", username, status: "active" });
}

test("the TypeScript snippet runs as printed in a browser page and completes a sandbox connection", async ({ page }) => {
  const snippet = readmeSnippet("seed-typescript");
  expect(snippet).toContain("window.location.assign(authorizeUrl)");
  // The integrator's page, at the instance's origin: the SDK's calls are same-origin, as behind an integrator's own proxy.
  await page.route(`${instance.url}/__integrator/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.replace("/__integrator/", "");
    if (path === "connect") {
      const html = `<!doctype html><title>Connect</title><script type="module">
import { Layers } from "/__integrator/sdk/index.js";
const layers = new Layers({ apiKey: ${JSON.stringify(instance.key)}, baseUrl: location.origin });
${snippet}
</script>`;
      return route.fulfill({ contentType: "text/html", body: html });
    }
    const file = normalize(join(SDK_DIST, path.replace(/^sdk\//, "")));
    if (!file.startsWith(SDK_DIST)) return route.fulfill({ status: 404 });
    return route.fulfill({ contentType: "text/javascript", body: readFileSync(file, "utf8") });
  });
  await answerReturnPage(page);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));

  await page.goto(`${instance.url}/__integrator/connect`);
  // The snippet's window.location.assign: the sandbox's consent page, at the authorize URL, which carries the state.
  await page.waitForURL(`${instance.url}/sandbox/tiktok/**`);
  const state = new URL(page.url()).searchParams.get("state")!;
  expect(state).toMatch(/^st_/);
  await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
  expect(errors).toEqual([]);
  await consent(page, "seed_ts_creator");
  await expectCompleted(state, "seed_ts_creator");
});

test("the Python snippet runs as printed with python3 and completes a sandbox connection", async ({ page }) => {
  const snippet = readmeSnippet("seed-python");
  expect(snippet).toContain('result["authorizeUrl"]');
  const program = [
    "import json, os",
    "from layers_connect import Layers",
    'layers = Layers(api_key=os.environ["LAYERS_API_KEY"], base_url=os.environ["LAYERS_BASE_URL"])',
    snippet,
    "print(json.dumps(result))",
  ].join("\n");
  const output = execFileSync("python3", ["-c", program], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: join(process.cwd(), "sdk/python"), LAYERS_API_KEY: instance.key, LAYERS_BASE_URL: instance.url },
  });
  const result = JSON.parse(output) as { authorizeUrl: string; state: string; expiresAt: string };
  expect(result.state).toMatch(/^st_/);
  expect(Date.parse(result.expiresAt)).toBeGreaterThan(Date.now());

  // "send result["authorizeUrl"] to the end-customer's browser"
  await answerReturnPage(page);
  await page.goto(result.authorizeUrl);
  await consent(page, "seed_py_creator");
  await expectCompleted(result.state, "seed_py_creator");
});
