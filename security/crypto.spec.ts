import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { api, type Instance, ladminBatch, startInstance, startServer } from "../e2e/support/layers";

/**
 * Issue 8 item 8 over HTTP: what a running instance shows of its key
 * handling. A rotation (new key, old one in LAYERS_ENCRYPTION_KEYS_PREVIOUS),
 * `ladmin secrets reencrypt`, then a restart with the old key gone: an attempt
 * started before the rotation still completes, which takes its PKCE verifier,
 * sealed under the old key, opening under the new one. Without the reencrypt
 * the same steps fail, so the check has teeth. (That a sealed value moved to
 * another row does not open needs write access to the database, which HTTP
 * does not give: server/crypto/sealed.test.ts covers it.)
 */
// The two tests start instances of their own: they may run side by side, in two workers.
test.describe.configure({ mode: "parallel" });

const returnTo = (url: string) => [`${url}/connect/return`];
const newKey = () => randomBytes(32).toString("base64");

async function createUrl(instance: Instance) {
  const res = await api(instance, "POST", `/v1/projects/${instance.projectId}/social/oauth-url`, { platform: "tiktok", returnUrl: `${instance.url}/connect/return` });
  expect(res.status).toBe(200);
  return res.body as { authorizeUrl: string; state: string };
}

async function consent(page: Page, authorizeUrl: string, username: string) {
  await page.goto(authorizeUrl);
  await page.getByRole("textbox", { name: "Username" }).fill(username);
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL(/\/connect\/return\?/);
}

const status = async (instance: Instance, state: string) => (await api(instance, "GET", `/v1/social/oauth-status/${state}`)).body;

/** The same data dir served again under `env`. */
async function restart(instance: Instance, env: Record<string, string | undefined>): Promise<Instance> {
  await instance.stop();
  const server = await startServer(env);
  return { ...instance, env, server, stop: () => server.stop() };
}

test("after a key rotation, ladmin secrets reencrypt and a restart without the old key, an earlier attempt still completes", async ({ page }) => {
  const oldKey = newKey();
  const currentKey = newKey();
  let instance = await startInstance(returnTo, { env: { LAYERS_ENCRYPTION_KEY: oldKey } });
  try {
    const first = await createUrl(instance);
    await consent(page, first.authorizeUrl, "rotated_creator");
    const connected = await status(instance, first.state);
    expect(connected.status).toBe("completed");
    const pending = await createUrl(instance);
    await instance.stop();

    // The account's access and refresh tokens and both attempts' verifiers.
    const rotating = { ...instance.env, LAYERS_ENCRYPTION_KEY: currentKey, LAYERS_ENCRYPTION_KEYS_PREVIOUS: oldKey };
    // Twice, in one ladmin process: the second finds nothing left to reseal.
    expect(ladminBatch(rotating, [{ args: ["secrets", "reencrypt"] }, { args: ["secrets", "reencrypt"] }])).toEqual([{ resealed: 4 }, { resealed: 0 }]);

    instance = await restart(instance, { ...instance.env, LAYERS_ENCRYPTION_KEY: currentKey });
    await consent(page, pending.authorizeUrl, "rotated_creator");
    const after = await status(instance, pending.state);
    expect(after).toMatchObject({ status: "completed", socialAccountId: connected.socialAccountId });
    const account = await api(instance, "GET", `/v1/social/accounts/${connected.socialAccountId}`);
    expect(account.body).toMatchObject({ status: "active", username: "rotated_creator" });
  } finally {
    await instance.stop();
  }
});

test("without the reencrypt, dropping the old key leaves the earlier attempt unable to complete", async ({ page }) => {
  const oldKey = newKey();
  let instance = await startInstance(returnTo, { env: { LAYERS_ENCRYPTION_KEY: oldKey } });
  try {
    const pending = await createUrl(instance);
    instance = await restart(instance, { ...instance.env, LAYERS_ENCRYPTION_KEY: newKey() });
    await consent(page, pending.authorizeUrl, "stranded_creator");
    expect(new URL(page.url()).searchParams.get("layers_oauth_error")).toBe("server_error");
    expect(await status(instance, pending.state)).toMatchObject({ status: "failed", error: { code: "server_error" } });
  } finally {
    await instance.stop();
  }
});
