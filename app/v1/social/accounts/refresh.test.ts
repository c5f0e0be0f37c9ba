import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainContext } from "@/server/domain/context";
import { type Services, setServices } from "@/server/services";
import { addKey, apiRoutes, deriveServices, request, seedTenant, startTestServices, type Tenant, TestApi } from "@/test-support/harness";
import { issuedAccount } from "@/test-support/issuedAccount";
import { type PlatformHosts, startPlatformHosts } from "@/test-support/platformHosts";
import { consentToAuthorizeUrl, mountSandbox } from "@/test-support/sandbox";

/**
 * POST /v1/social/accounts/:id/refresh over HTTP: live accounts against
 * TikTok's and Instagram's token hosts, test-mode accounts connected through
 * the sandbox, as integrators call it.
 */
const DAY = 86_400_000;
// A test clock that starts now: the connect flow's own timestamps (the attempt's expiry) are real ones.
const clock = new TestClock(Date.now());
let hosts: PlatformHosts;
let base: Services;
let services: Services;
let api: TestApi;
let live: Tenant;
let testKey: { token: string };
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  hosts = await startPlatformHosts(() => clock.now());
  base = await startTestServices({ clock });
  api = await mountSandbox(await apiRoutes(new TestApi()));
  await api.listen();
  services = deriveServices(base, { ...hosts.env, LAYERS_PUBLIC_URL: api.url });
  setServices(services);
  live = await seedTenant(services, { mode: "live", allow: [RETURN_URL] });
  testKey = await addKey(services, live.orgId, { mode: "test", allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await base.close();
  await hosts.close();
});

const liveAccount = (platform: "tiktok" | "instagram") => issuedAccount(domainContext(services), hosts, live, platform);

const refresh = (id: string, token = live.token) => request(api, "POST", `/v1/social/accounts/${id}/refresh`, { token });
const read = async (id: string, token = live.token) => (await request(api, "GET", `/v1/social/accounts/${id}`, { token })).body;

describe("POST /v1/social/accounts/:id/refresh", () => {
  it("refreshes a TikTok account now and answers it with its new expiry and lastRefreshedAt", async () => {
    const account = await liveAccount("tiktok");
    await clock.setTime(clock.now() + 3_600_000);
    const res = await refresh(account.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: account.id, status: "active", reauthReason: null, lastRefreshedAt: new Date(clock.now()).toISOString() });
    expect(res.body.accessTokenExpiresAt).toBe(new Date(clock.now() + DAY).toISOString());
    expect(JSON.stringify(res.body)).not.toMatch(/act\.|rft\./);
    expect(hosts.refreshes.filter((r) => r.token === account.refreshToken).map((r) => r.outcome)).toEqual(["refreshed"]);
  });

  it("409 NEEDS_REAUTH when the platform refuses for good; the account then says why, and nothing more is sent", async () => {
    const account = await liveAccount("tiktok");
    hosts.revoke(account.refreshToken!);
    const res = await refresh(account.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("NEEDS_REAUTH");
    expect(res.body.error.message).toMatch(/withdrew the authorization.*connect it/);
    expect(await read(account.id)).toMatchObject({ status: "needs_reauth", reauthReason: "token_revoked" });
    expect((await refresh(account.id)).status).toBe(409);
    expect(hosts.timesSent(account.refreshToken!)).toBe(1);
  });

  it("503 UNAVAILABLE with Retry-After when the platform does not answer; nothing changes", async () => {
    const account = await liveAccount("tiktok");
    const before = await read(account.id);
    hosts.failNext(1, "http_500");
    const res = await refresh(account.id);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("UNAVAILABLE");
    expect(res.headers.get("retry-after")).toBe("30");
    expect(await read(account.id)).toEqual(before);
  });

  it("an Instagram token under 24 h old is answered as it is, since Instagram would refuse it", async () => {
    const account = await liveAccount("instagram");
    const res = await refresh(account.id);
    expect(res.status).toBe(200);
    expect(res.body.lastRefreshedAt).toBeNull();
    expect(hosts.refreshes.filter((r) => r.token === account.accessToken)).toEqual([]);
    await clock.setTime(clock.now() + DAY);
    expect((await refresh(account.id)).body.lastRefreshedAt).toBe(new Date(clock.now()).toISOString());
  });

  it("404 for an account of another organization or of the other mode; 409 for a disconnected one", async () => {
    const account = await liveAccount("tiktok");
    const stranger = await seedTenant(services, { mode: "live" });
    expect((await refresh(account.id, stranger.token)).status).toBe(404);
    expect((await refresh(account.id, testKey.token)).status).toBe(404);
    expect((await request(api, "DELETE", `/v1/social/accounts/${account.id}`, { token: live.token })).status).toBe(204);
    const res = await refresh(account.id);
    expect([res.status, res.body.error.code]).toEqual([409, "NEEDS_REAUTH"]);
    expect(res.body.error.message).toMatch(/disconnected/);
  });
});

describe("test-mode accounts, refreshed by the sandbox", () => {
  async function connectSandbox(platform: "tiktok" | "instagram") {
    const created = await request(api, "POST", `/v1/projects/${live.projectId}/social/oauth-url`, { token: testKey.token, body: { platform, returnUrl: RETURN_URL } });
    const consented = await consentToAuthorizeUrl(api, created.body.authorizeUrl, { username: `refresh_${platform}_${Math.random().toString(36).slice(2, 7)}` });
    expect((await fetch(consented.headers.get("location")!, { redirect: "manual" })).status).toBe(303);
    const status = await request(api, "GET", `/v1/social/oauth-status/${created.body.state}`, { token: testKey.token });
    return status.body.socialAccountId as string;
  }

  it("TikTok: the sandbox rotates the refresh token, and the account keeps refreshing with the new one", async () => {
    const id = await connectSandbox("tiktok");
    const first = await refresh(id, testKey.token);
    expect([first.status, first.body.livemode]).toEqual([200, false]);
    expect(first.body.lastRefreshedAt).not.toBeNull();
    await clock.setTime(clock.now() + 60_000);
    const second = await refresh(id, testKey.token);
    expect(second.status).toBe(200);
    expect(second.body.lastRefreshedAt).toBe(new Date(clock.now()).toISOString());
  });

  it("Instagram: the sandbox keeps the 24 h rule; a day later the token is refreshed", async () => {
    const id = await connectSandbox("instagram");
    expect((await refresh(id, testKey.token)).body.lastRefreshedAt).toBeNull();
    await clock.setTime(clock.now() + DAY + 60_000);
    const res = await refresh(id, testKey.token);
    expect(res.status).toBe(200);
    expect(res.body.lastRefreshedAt).toBe(new Date(clock.now()).toISOString());
  });
});
