import { expect, test } from "@playwright/test";
import { cleanEnv, freePort, freshDataDir, npmStart, type Proc } from "./support/processes";

/**
 * /docs renders the OpenAPI document with everything bundled: the page
 * shows the routes, and no request (script, style, font, image, fetch)
 * goes anywhere but the instance itself.
 */
let server: Proc;
let docsUrl: string;

test.beforeAll(async () => {
  const port = await freePort();
  server = npmStart(cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: freshDataDir() }));
  // The start banner says where the reference is.
  await server.waitFor(/API reference: (\S+)\n/);
  docsUrl = /API reference: (\S+)\n/.exec(server.output)![1]!;
  expect(docsUrl).toBe(`http://localhost:${port}/docs`);
});
test.afterAll(async () => {
  await server?.stop();
});

test("renders every route from the document and loads nothing from another host", async ({ page }) => {
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));

  await page.goto(docsUrl);
  await expect(page.getByRole("heading", { name: "Layers Connect API" }).first()).toBeVisible();
  for (const summary of ["Create an authorize URL", "Read an attempt's status", "List a project's accounts", "Read an account", "Disconnect an account"]) {
    await expect(page.getByText(summary).first(), summary).toBeAttached();
  }
  await expect(page.getByText("/v1/projects/{projectId}/social/oauth-url").first()).toBeAttached();
  await page.waitForLoadState("networkidle");

  const origin = new URL(docsUrl).origin;
  const elsewhere = requests.filter((url) => !url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin);
  expect(elsewhere).toEqual([]);
  expect(requests.length).toBeGreaterThan(1);
});
