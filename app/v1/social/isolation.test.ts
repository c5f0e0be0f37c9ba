import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialAccounts } from "@/db/schema";
import { type Services, setServices } from "@/server/services";
import { addKey, deriveServices, request, seedAccount, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { type LiveTikTok, liveTikTokEnv, startLiveTikTok } from "@/test-support/liveTikTok";

/**
 * Test mode and live mode never mix (CONTRACT.md §3): a test key sees,
 * creates and changes only test-mode attempts and accounts, a live key only
 * live ones; across modes every lookup is 404 and lists show nothing. Live
 * TikTok is a recording stub, so a test can tell whether a live token was
 * revoked at the platform.
 */
let base: Services;
let services: Services;
let api: TestApi;
let tiktok: LiveTikTok;
let live: Tenant;
let test: { token: string };
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  base = await startTestServices();
  tiktok = await startLiveTikTok();
  services = deriveServices(base, liveTikTokEnv(tiktok));
  setServices(services);
  api = await startApi();
  live = await seedTenant(services, { mode: "live", allow: [RETURN_URL] });
  test = await addKey(services, live.orgId, { mode: "test", allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await tiktok.close();
  await base.close();
});

const accountRow = async (id: string) => (await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)))[0]!;
const notFound = (res: { status: number; body: { error?: { code: string } } }) => {
  expect(res.status).toBe(404);
  expect(res.body.error?.code).toBe("NOT_FOUND");
};

describe("accounts across modes", () => {
  it("a test key can neither read nor delete a live account, and the live token is not revoked at the platform", async () => {
    const { id } = await seedAccount(services, live, { mode: "live", username: "live_only" });
    const before = await accountRow(id);

    notFound(await request(api, "GET", `/v1/social/accounts/${id}`, { token: test.token }));
    notFound(await request(api, "DELETE", `/v1/social/accounts/${id}`, { token: test.token }));

    expect(tiktok.revoked()).toEqual([]);
    expect(await accountRow(id)).toMatchObject({ status: "active", accessTokenEnc: before.accessTokenEnc, refreshTokenEnc: before.refreshTokenEnc });
    expect((await request(api, "GET", `/v1/social/accounts/${id}`, { token: live.token })).body).toMatchObject({ id, livemode: true, status: "active" });
  });

  it("the live key itself deletes it, and the platform is asked to revoke it (the stub is the one a revoke would reach)", async () => {
    const { id } = await seedAccount(services, live, { mode: "live", username: "live_leaving" });
    const revokedBefore = tiktok.revoked().length;
    expect((await request(api, "DELETE", `/v1/social/accounts/${id}`, { token: live.token })).status).toBe(204);
    expect(tiktok.revoked().length).toBe(revokedBefore + 1);
  });

  it("a live key can neither read nor delete a test account", async () => {
    const { id } = await seedAccount(services, live, { mode: "test", username: "sandbox_only" });
    notFound(await request(api, "GET", `/v1/social/accounts/${id}`, { token: live.token }));
    notFound(await request(api, "DELETE", `/v1/social/accounts/${id}`, { token: live.token }));
    expect((await accountRow(id)).status).toBe("active");
  });

  it("a project's list shows each key its own mode's accounts and nothing of the other", async () => {
    const own = await seedTenant(services, { mode: "live" });
    const ownTest = await addKey(services, own.orgId, { mode: "test" });
    const path = `/v1/projects/${own.projectId}/social/accounts`;
    expect((await request(api, "GET", path, { token: own.token })).body).toEqual({ data: [], nextCursor: null });
    expect((await request(api, "GET", path, { token: ownTest.token })).body).toEqual({ data: [], nextCursor: null });

    const liveIds = [(await seedAccount(services, own, { mode: "live" })).id, (await seedAccount(services, own, { mode: "live" })).id];
    const testIds = [(await seedAccount(services, own, { mode: "test" })).id];
    const listed = async (token: string) => (await request(api, "GET", path, { token })).body.data.map((a: { id: string; livemode: boolean }) => [a.id, a.livemode]);
    expect(await listed(own.token)).toEqual(liveIds.map((id) => [id, true]));
    expect(await listed(ownTest.token)).toEqual(testIds.map((id) => [id, false]));
  });

  it("a sandbox account of the same platform user is another row: the live account's tokens stay as they were", async () => {
    const first = await seedAccount(services, live, { mode: "live", username: "twin_modes" });
    const before = await accountRow(first.id);
    const sandbox = await seedAccount(services, live, { mode: "test", username: "twin_modes", refreshToken: "rft.sandbox" });
    expect(sandbox.created).toBe(true);
    expect(sandbox.id).not.toBe(first.id);
    const [liveRow, testRow] = [await accountRow(first.id), await accountRow(sandbox.id)];
    expect(testRow.platformUserId).toBe(liveRow.platformUserId);
    expect(liveRow).toMatchObject({ livemode: true, accessTokenEnc: before.accessTokenEnc, refreshTokenEnc: before.refreshTokenEnc, updatedAt: before.updatedAt });
    expect(testRow.livemode).toBe(false);
    // Reconnecting in the sandbox again lands on the sandbox row.
    expect(await seedAccount(services, live, { mode: "test", username: "twin_modes" })).toMatchObject({ id: sandbox.id, created: false });
  });
});

describe("attempts across modes", () => {
  async function liveConnection(openId: string, username: string) {
    const created = await request(api, "POST", `/v1/projects/${live.projectId}/social/oauth-url`, { token: live.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
    expect(created.status).toBe(200);
    const { state } = created.body as { state: string };
    const callback = await request(api, "GET", `/v1/social/oauth/callback/tiktok?code=${encodeURIComponent(`${openId}:${username}`)}&state=${state}`);
    expect(callback.status).toBe(303);
    return state;
  }

  it("a live attempt's callback stores a live account, which only the live key sees", async () => {
    const state = await liveConnection("live_open_id_1", "live_flow");
    const status = await request(api, "GET", `/v1/social/oauth-status/${state}`, { token: live.token });
    expect(status.body).toMatchObject({ status: "completed" });
    const accountId = status.body.socialAccountId as string;
    expect(await accountRow(accountId)).toMatchObject({ livemode: true, platformUserId: "live_open_id_1" });

    notFound(await request(api, "GET", `/v1/social/oauth-status/${state}`, { token: test.token }));
    notFound(await request(api, "GET", `/v1/social/accounts/${accountId}`, { token: test.token }));
    const testList = await request(api, "GET", `/v1/projects/${live.projectId}/social/accounts`, { token: test.token });
    expect(testList.body.data.map((a: { id: string }) => a.id)).not.toContain(accountId);
    expect(testList.body.data.every((a: { livemode: boolean }) => !a.livemode)).toBe(true);
  });

  it("a test attempt is 404 to the live key", async () => {
    const created = await request(api, "POST", `/v1/projects/${live.projectId}/social/oauth-url`, { token: test.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
    expect(created.status).toBe(200);
    notFound(await request(api, "GET", `/v1/social/oauth-status/${created.body.state}`, { token: live.token }));
    expect((await request(api, "GET", `/v1/social/oauth-status/${created.body.state}`, { token: test.token })).body.status).toBe("pending");
  });
});
