import { expect, test } from "@playwright/test";
import { api, type Instance, startInstance } from "../e2e/support/layers";
import { connectLive, connectSandbox } from "../e2e/support/live";
import { type LiveTikTok, liveTikTokEnv, startLiveTikTok } from "../test-support/liveTikTok";

/**
 * Issue 8 item 1 over HTTP: test mode and live mode never mix. One instance
 * with a test key and a live key of the same organization; live TikTok is a
 * recording stub (TIKTOK_API_BASE_URL), so the suite can tell whether a live
 * token was revoked. The same TikTok user connects in both modes.
 */
test.describe.configure({ mode: "serial" });

let tiktok: LiveTikTok;
let instance: Instance;
let liveKey: string;
const returnTo = (url: string) => [`${url}/connect/return`];

const as = (key: string) => ({ ...instance, key });

test.beforeAll(async () => {
  tiktok = await startLiveTikTok();
  instance = await startInstance(returnTo, {
    env: liveTikTokEnv(tiktok),
    seed: ({ url, orgId }) => [{ args: ["keys", "create", "--org", orgId, "--name", "live", "--scopes", "social:write,social:read", "--mode", "live", "--allow", `${url}/connect/return`] }],
  });
  liveKey = instance.seeded[0].key;
});
test.afterAll(async () => {
  await instance?.stop();
  await tiktok?.close();
});


const expectNotFound = (res: { status: number; body: { error?: { code: string } } | null }) => {
  expect(res.status).toBe(404);
  expect(res.body?.error?.code).toBe("NOT_FOUND");
};

let sandbox: { state: string; accountId: string };
let live: { state: string; accountId: string };

test("the same TikTok user connected in both modes is two accounts, each seen only by its own mode", async ({ page }) => {
  sandbox = await connectSandbox(page, instance, "twin_person");
  const sandboxAccount = await api(instance, "GET", `/v1/social/accounts/${sandbox.accountId}`);
  expect(sandboxAccount.body.livemode).toBe(false);
  live = await connectLive(instance, liveKey, tiktok, { openId: sandboxAccount.body.platformUserId, username: "twin_person" });
  expect(live.accountId).not.toBe(sandbox.accountId);

  const list = (key: string) => api(as(key), "GET", `/v1/projects/${instance.projectId}/social/accounts`);
  expect((await list(instance.key)).body.data.map((a: { id: string; livemode: boolean }) => [a.id, a.livemode])).toEqual([[sandbox.accountId, false]]);
  expect((await list(liveKey)).body.data.map((a: { id: string; livemode: boolean }) => [a.id, a.livemode])).toEqual([[live.accountId, true]]);
});

test("a test key cannot read or delete the live account, and nothing is revoked at the platform", async () => {
  expectNotFound(await api(instance, "GET", `/v1/social/accounts/${live.accountId}`));
  expectNotFound(await api(instance, "DELETE", `/v1/social/accounts/${live.accountId}`));
  expect(tiktok.revoked()).toEqual([]);
  expect((await api(as(liveKey), "GET", `/v1/social/accounts/${live.accountId}`)).body).toMatchObject({ status: "active", livemode: true });
});

test("a live key cannot read or delete the sandbox account", async () => {
  expectNotFound(await api(as(liveKey), "GET", `/v1/social/accounts/${sandbox.accountId}`));
  expectNotFound(await api(as(liveKey), "DELETE", `/v1/social/accounts/${sandbox.accountId}`));
  expect((await api(instance, "GET", `/v1/social/accounts/${sandbox.accountId}`)).body).toMatchObject({ status: "active", livemode: false });
});

test("each key's attempts are 404 to the key of the other mode", async () => {
  expectNotFound(await api(instance, "GET", `/v1/social/oauth-status/${live.state}`));
  expectNotFound(await api(as(liveKey), "GET", `/v1/social/oauth-status/${sandbox.state}`));
});

test("the live key disconnects its own account, and that is when the platform is asked to revoke", async () => {
  const res = await api(as(liveKey), "DELETE", `/v1/social/accounts/${live.accountId}`);
  expect(res.status).toBe(204);
  expect(tiktok.revoked()).toHaveLength(1);
  expect((await api(instance, "GET", `/v1/social/accounts/${sandbox.accountId}`)).body.status).toBe("active");
});
