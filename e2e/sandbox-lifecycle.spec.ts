import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { redirectUri, sandboxCredentials } from "../server/oauth/platforms/config";
import { type Instance, startInstance } from "./support/layers";

/**
 * The sandbox's token lifecycle in Chromium: the consent page offers token
 * lifetimes and a "Revoke access" form; "Very short" gives one-minute
 * tokens at the token endpoint, and revoking the user ends the grant, so
 * the next refresh is invalid_grant.
 *
 * The browser goes to the sandbox's authorize page directly (not through
 * Layers' oauth-url, whose PKCE verifier stays inside Layers), so the test
 * redeems the code itself, as any OAuth client of the sandbox would.
 */
let layers: Instance;
const encryptionKey = randomBytes(32);

test.beforeAll(async () => {
  // A known key: the sandbox client secret derives from it.
  layers = await startInstance((url) => [`${url}/connect/return`], { env: { LAYERS_ENCRYPTION_KEY: encryptionKey.toString("base64") } });
});
test.afterAll(async () => {
  await layers?.stop();
});

const credentials = () => sandboxCredentials({ encryptionKey }, "tiktok");
const callback = () => redirectUri({ publicUrl: layers.url }, "tiktok");

function authorizeUrl(state: string) {
  const query = new URLSearchParams({
    client_key: credentials().clientId,
    response_type: "code",
    scope: "user.info.basic,user.info.profile",
    redirect_uri: callback(),
    state,
  });
  return `${layers.url}/sandbox/tiktok/v2/auth/authorize/?${query}`;
}

/**
 * Presses Authorize and answers the code the sandbox sends back. The browser
 * lands on Layers' callback, which answers its "not valid" page without
 * touching the code: the state names no attempt of Layers', so the code is
 * still ours to redeem.
 */
async function authorize(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL((url) => url.href.startsWith(`${callback()}?`));
  return new URL(page.url()).searchParams.get("code")!;
}

const tokenEndpoint = (fields: Record<string, string>) =>
  fetch(`${layers.url}/sandbox/tiktok/v2/oauth/token/`, {
    method: "POST",
    body: new URLSearchParams({ client_key: credentials().clientId, client_secret: credentials().clientSecret, ...fields }),
  }).then((r) => r.json());

test("the consent page offers token lifetimes; Very short gives expires_in 60 and refresh_expires_in 300", async ({ page }) => {
  await page.goto(authorizeUrl("st_lifetimes"));
  const lifetimes = page.getByRole("group", { name: "Token lifetimes" });
  await expect(lifetimes.getByRole("radio")).toHaveCount(4);
  await expect(lifetimes.getByRole("radio", { name: "As TikTok documents it (access 24 h, refresh 365 days)" })).toBeChecked();
  await lifetimes.getByRole("radio", { name: "Very short: access 1 minute, refresh 5 minutes" }).check();
  await page.getByRole("textbox", { name: "Username" }).fill("e2e_short_lived");
  const code = await authorize(page);

  const tokens = await tokenEndpoint({ grant_type: "authorization_code", code, redirect_uri: callback() });
  expect(tokens).toMatchObject({ expires_in: 60, refresh_expires_in: 300, token_type: "Bearer", scope: "user.info.basic,user.info.profile" });
});

test("Revoke access on the consent page ends the user's grant: the next refresh is invalid_grant", async ({ page }) => {
  await page.goto(authorizeUrl("st_connect"));
  await page.getByRole("textbox", { name: "Username" }).fill("e2e_revoked");
  const code = await authorize(page);
  const tokens = await tokenEndpoint({ grant_type: "authorization_code", code, redirect_uri: callback() });
  expect(tokens.refresh_token).toMatch(/^rft\./);

  await page.goto(authorizeUrl("st_revoke"));
  const revoke = page.getByRole("region", { name: "Revoke a sandbox user's access" });
  await revoke.getByRole("textbox", { name: "Account to revoke" }).fill("e2e_revoked");
  await revoke.getByRole("button", { name: "Revoke access" }).click();
  await expect(page.getByRole("heading", { name: "Access for @e2e_revoked revoked" })).toBeVisible();
  await expect(page.getByText("Access for @e2e_revoked revoked: 1 grant. Layers will find out at its next refresh")).toBeVisible();

  const refused = await tokenEndpoint({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
  expect(refused).toMatchObject({ error: "invalid_grant", error_description: "Refresh token has been revoked." });

  // Revoking again finds nothing left: an answer, not an error.
  await page.goBack();
  await revoke.getByRole("textbox", { name: "Account to revoke" }).fill("e2e_revoked");
  await revoke.getByRole("button", { name: "Revoke access" }).click();
  await expect(page.getByRole("heading", { name: "Nothing to revoke for @e2e_revoked" })).toBeVisible();
});
