import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { cleanEnv, freePort, freshDataDir, npmStart, type Proc } from "./support/processes";

/**
 * A newcomer's first hour, as the README tells it from the top, in Chromium:
 * the two commands, `npm start`'s printed curl run as printed, the sandbox's
 * consent, the hosted return page, the console's setup with the printed code,
 * and the demo's attempt and account in the console. Then the way to the
 * deployment guide. No step reads code: every id and code comes from what
 * the server printed or the pages showed.
 */
const ROOT = join(import.meta.dirname, "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

let server: Proc;
let url: string;

test.beforeAll(async () => {
  const port = await freePort();
  url = `http://localhost:${port}`;
  // The README's run command, on a port of our own as its first screen says to pick one.
  server = npmStart(cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: freshDataDir() }));
  await server.waitFor(/Setup code: \S+/);
});
test.afterAll(async () => server?.stop());

test("the README's first screen names the two commands, what they need, the port, development, starting over and going live", () => {
  const firstScreen = readme.split("\n").slice(0, 30).join("\n");
  expect(firstScreen).toContain("npm install && npm start");
  expect(firstScreen).toContain("npm test");
  expect(firstScreen).toMatch(/DATABASE_URL.*REDIS_URL|REDIS_URL.*DATABASE_URL/s);
  expect(firstScreen).toContain("PORT=3001 npm start");
  expect(firstScreen).toContain("npm run dev");
  expect(firstScreen).toContain("delete `./.data`");
  const guide = firstScreen.match(/\[DEPLOYING\.md\]\((DEPLOYING\.md)\)/)?.[1];
  expect(guide).toBe("DEPLOYING.md");
  expect(existsSync(join(ROOT, guide!))).toBe(true);
});

test("from the printed curl to a connected sandbox account, seen in the console after setup", async ({ page }) => {
  // 1. The printed curl, run as printed.
  const curl = server.output.slice(server.output.indexOf("curl -X POST"), server.output.indexOf("'\n", server.output.indexOf("curl -X POST")) + 1);
  expect(curl).toContain(`${url}/v1/projects/prj_`);
  const created = JSON.parse(execFileSync("bash", ["-c", curl], { encoding: "utf8" })) as { authorizeUrl: string; state: string; connectUrl: string };
  expect(created.connectUrl).toBe(`${url}/connect/${created.state}`);

  // 2. The sandbox's consent page, then the hosted return page.
  await page.goto(created.authorizeUrl);
  await page.getByRole("textbox", { name: "Username" }).fill("first_hour");
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page.getByRole("heading", { name: "Your TikTok account @first_hour is connected." })).toBeVisible();

  // 3. The console: the banner says where, and gives the setup code; setup joins the demo organization.
  const consoleUrl = server.output.match(/Console:\s+(\S+)/)?.[1];
  expect(consoleUrl).toBe(`${url}/console`);
  const demoOrg = server.output.match(/organization\s+(org_\w+)/)?.[1];
  expect(server.output).toContain(`become the owner of ${demoOrg} (Demo organization)`);
  await page.goto(consoleUrl!);
  await expect(page.getByRole("heading", { name: "Set up Layers Connect" })).toBeVisible();
  await expect(page.getByText(`Demo organization (${demoOrg})`)).toBeVisible();
  await page.getByLabel("Setup code").fill(server.output.match(/Setup code: (\S+)/)![1]!);
  await expect(page.getByLabel("Organization name")).toHaveValue("Demo organization");
  await page.getByLabel("Email").fill("newcomer@example.com");
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Become its owner" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  // 4. The walkthrough's attempt and account are there (the console opens on test mode: the demo key is a test key).
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Attempts", exact: true }).click();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: created.state }) });
  await expect(row).toContainText(/completed/i);
  await expect(row).toContainText("Demo project");
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Accounts", exact: true }).click();
  await expect(page.getByRole("rowheader", { name: "@first_hour" })).toBeVisible();
});
