import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthStates, socialAccounts } from "@/db/schema";
import { domainContext } from "@/server/domain/context";
import { connectView } from "@/server/hosted/views";
import { createPlatformAdapter } from "@/server/oauth/platforms";
import { platformEndpoints, sandboxCredentials } from "@/server/oauth/platforms/config";
import { mountSandbox } from "@/test-support/sandbox";
import { type Services, setServices } from "@/server/services";
import { addKey, apiRoutes, deriveServices, request, startTestServices, seedTenant, type Tenant, TestApi } from "@/test-support/harness";
import { SEALED } from "@/server/crypto/sealed";

/**
 * The whole flow over HTTP: oauth-url → sandbox consent → callback → stored
 * account → redirect → status. Live keys use the real adapters pointed at the
 * sandbox through the platform environment variables; test keys use the
 * sandbox as they do in production.
 */
let base: Services;
let services: Services;
let api: TestApi;
let tenant: Tenant;
let testKey: { token: string };
const RETURN_URL = "https://app.example.com/connect/return";

function liveEnv(url: string, secrets: Services["config"]) {
  return {
    LAYERS_PUBLIC_URL: url,
    TIKTOK_CLIENT_KEY: "sandbox_tiktok",
    TIKTOK_CLIENT_SECRET: sandboxCredentials(secrets, "tiktok").clientSecret,
    TIKTOK_AUTHORIZE_URL: `${url}/sandbox/tiktok/v2/auth/authorize/`,
    TIKTOK_API_BASE_URL: `${url}/sandbox/tiktok`,
    INSTAGRAM_CLIENT_ID: "sandbox_instagram",
    INSTAGRAM_CLIENT_SECRET: sandboxCredentials(secrets, "instagram").clientSecret,
    INSTAGRAM_AUTHORIZE_URL: `${url}/sandbox/instagram/oauth/authorize`,
    INSTAGRAM_API_BASE_URL: `${url}/sandbox/instagram/api`,
    INSTAGRAM_GRAPH_BASE_URL: `${url}/sandbox/instagram/graph`,
  };
}

beforeAll(async () => {
  base = await startTestServices();
  api = await mountSandbox(await apiRoutes(new TestApi()));
  await api.listen();
  services = deriveServices(base, liveEnv(api.url, base.config));
  setServices(services);
  tenant = await seedTenant(services, { mode: "live", allow: [RETURN_URL, `${api.url}/connect/return`] });
  testKey = await addKey(services, tenant.orgId, { mode: "test", allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await base.close();
});

interface ConnectOptions {
  token?: string;
  returnUrl?: string;
  username?: string;
  untick?: string[];
  decision?: "authorize" | "cancel";
}

/** Creates an attempt and goes through the sandbox consent form; returns the callback URL the browser would open. */
async function consent(platform: "tiktok" | "instagram", opts: ConnectOptions = {}) {
  const created = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, {
    token: opts.token ?? tenant.token,
    body: { platform, returnUrl: opts.returnUrl ?? RETURN_URL },
  });
  expect(created.status).toBe(200);
  const authorize = new URL(created.body.authorizeUrl);
  const form = new URLSearchParams(authorize.searchParams);
  form.set("username", opts.username ?? `creator_${Math.random().toString(36).slice(2, 8)}`);
  for (const scope of authorize.searchParams.get("scope")!.split(",")) if (!opts.untick?.includes(scope)) form.append("granted_scope", scope);
  form.set("decision", opts.decision ?? "authorize");
  const consented = await fetch(`${api.url}/sandbox/${platform}/consent`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { origin: api.url },
  });
  expect(consented.status).toBe(303);
  return { state: created.body.state as string, callbackUrl: consented.headers.get("location")! };
}

/** Opens the callback as the browser would; returns where it sends the browser. */
async function callback(url: string) {
  const res = await fetch(url, { redirect: "manual" });
  return { status: res.status, location: res.headers.get("location"), text: await res.text(), headers: res.headers };
}

const status = async (state: string, token = tenant.token) => (await request(api, "GET", `/v1/social/oauth-status/${state}`, { token })).body;
const stateRow = async (state: string) => (await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, state)))[0]!;
const accountRow = async (id: string) => (await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)))[0]!;

describe("a successful callback", () => {
  it("TikTok (live adapters, sandbox hosts): exchanges the code with PKCE, stores the account with sealed tokens, 303 to the returnUrl", async () => {
    const { state, callbackUrl } = await consent("tiktok", { username: "live_tiktok", returnUrl: `${RETURN_URL}?account=7&x=y` });
    expect(callbackUrl.startsWith(`${api.url}/v1/social/oauth/callback/tiktok?`)).toBe(true);
    const res = await callback(callbackUrl);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${RETURN_URL}?account=7&x=y`);

    const result = await status(state);
    expect(result).toMatchObject({ status: "completed", platform: "tiktok", missingScopes: [] });
    expect(result.socialAccountId).toMatch(/^sa_/);
    expect(result.grantedScopes).toContain("video.publish");
    expect(result.completedAt).not.toBeNull();
    const account = await accountRow(result.socialAccountId);
    expect(account).toMatchObject({ platform: "tiktok", username: "live_tiktok", livemode: true, status: "active" });
    expect(account.accessTokenEnc).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(services.box.open(account.accessTokenEnc!, SEALED.accessToken.at(account.id))).toMatch(/^act\./);
    expect(services.box.open(account.refreshTokenEnc!, SEALED.refreshToken.at(account.id))).toMatch(/^rft\./);
    expect(account.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it("Instagram with a test key: a long-lived token, livemode false, the 20-digit user id kept exact", async () => {
    const { state, callbackUrl } = await consent("instagram", { token: testKey.token, username: "test_insta" });
    expect((await callback(callbackUrl)).location).toBe(RETURN_URL);
    const result = await status(state, testKey.token);
    expect(result.status).toBe("completed");
    const account = await accountRow(result.socialAccountId);
    expect(account).toMatchObject({ platform: "instagram", username: "test_insta", livemode: false, refreshTokenEnc: null });
    expect(account.platformUserId).toMatch(/^\d{20}$/);
    // The id the profile endpoint reports, digit for digit.
    const adapter = createPlatformAdapter(platformEndpoints(services.config, "instagram", false));
    const profile = await adapter.fetchProfile(services.box.open(account.accessTokenEnc!, SEALED.accessToken.at(account.id)), []);
    expect(profile.platformUserId).toBe(account.platformUserId);
  });

  it("adds the state when the returnUrl is Layers' own hosted return page", async () => {
    const { state, callbackUrl } = await consent("tiktok", { returnUrl: `${api.url}/connect/return` });
    expect((await callback(callbackUrl)).location).toBe(`${api.url}/connect/return?state=${state}`);
  });

  it("reconnecting the same platform user keeps the socialAccountId and stores the rotated tokens", async () => {
    const first = await consent("tiktok", { username: "returning" });
    await callback(first.callbackUrl);
    const firstId = (await status(first.state)).socialAccountId;
    const before = await accountRow(firstId);
    const second = await consent("tiktok", { username: "returning" });
    await callback(second.callbackUrl);
    expect((await status(second.state)).socialAccountId).toBe(firstId);
    const after = await accountRow(firstId);
    expect(services.box.open(after.refreshTokenEnc!, SEALED.refreshToken.at(firstId))).not.toBe(services.box.open(before.refreshTokenEnc!, SEALED.refreshToken.at(firstId)));
  });

  it("a scope the end-customer unticked is missing, but the attempt completes", async () => {
    const { state, callbackUrl } = await consent("tiktok", { untick: ["video.publish", "user.info.stats"] });
    expect((await callback(callbackUrl)).location).toBe(RETURN_URL);
    const result = await status(state);
    expect(result.status).toBe("completed");
    expect(result.missingScopes.sort()).toEqual(["user.info.stats", "video.publish"]);
    expect(result.grantedScopes).not.toContain("video.publish");
  });
});

describe("using a state once", () => {
  it("two concurrent callbacks exchange the code once and both redirect to the returnUrl", async () => {
    // Unique to the run: a real PostgreSQL keeps accounts from earlier runs.
    const username = `racer_${Date.now().toString(36)}`;
    const { state, callbackUrl } = await consent("tiktok", { username });
    const [a, b] = await Promise.all([callback(callbackUrl), callback(callbackUrl)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect([a.location, b.location]).toEqual([RETURN_URL, RETURN_URL]);
    expect((await status(state)).status).toBe("completed");
    const rows = await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.username, username));
    expect(rows).toHaveLength(1);
  });

  it("a repeated callback after completion redirects as the first did and changes nothing", async () => {
    const { state, callbackUrl } = await consent("instagram");
    const first = await callback(callbackUrl);
    const before = await stateRow(state);
    const account = await accountRow(before.socialAccountId!);
    const again = await callback(callbackUrl);
    expect(again.location).toBe(first.location);
    expect(await stateRow(state)).toEqual(before);
    expect(await accountRow(before.socialAccountId!)).toEqual(account);
  });

  it("a repeated callback after a failure redirects with the same error", async () => {
    const { callbackUrl } = await consent("tiktok", { decision: "cancel" });
    const first = await callback(callbackUrl);
    expect(first.location).toBe(`${RETURN_URL}?layers_oauth_error=access_denied`);
    expect((await callback(callbackUrl)).location).toBe(first.location);
  });
});

describe("failures redirect to the returnUrl with layers_oauth_error", () => {
  it("access_denied when the end-customer cancels (both platforms), keeping the returnUrl's query", async () => {
    for (const platform of ["tiktok", "instagram"] as const) {
      const { state, callbackUrl } = await consent(platform, { decision: "cancel", returnUrl: `${RETURN_URL}?a=1` });
      const res = await callback(callbackUrl);
      expect(res.location).toBe(`${RETURN_URL}?a=1&layers_oauth_error=access_denied`);
      expect(await status(state)).toMatchObject({ status: "failed", error: { code: "access_denied" } });
    }
  });

  it("scope_not_granted when the basic scope is unticked", async () => {
    for (const [platform, basic] of [["tiktok", "user.info.basic"], ["instagram", "instagram_business_basic"]] as const) {
      const { state, callbackUrl } = await consent(platform, { untick: [basic] });
      expect((await callback(callbackUrl)).location).toBe(`${RETURN_URL}?layers_oauth_error=scope_not_granted`);
      expect((await status(state)).error.code).toBe("scope_not_granted");
    }
  });

  it("state_expired when the callback arrives after expiresAt, and the status stays expired", async () => {
    const { state, callbackUrl } = await consent("tiktok");
    await services.database.db.update(oauthStates).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oauthStates.id, state));
    expect((await callback(callbackUrl)).location).toBe(`${RETURN_URL}?layers_oauth_error=state_expired`);
    expect((await status(state)).status).toBe("expired");
    expect((await stateRow(state)).status).toBe("pending");
  });

  it("token_exchange_failed when the platform refuses the code", async () => {
    const { state, callbackUrl } = await consent("tiktok");
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set("code", "not-a-real-code");
    expect((await callback(tampered.toString())).location).toBe(`${RETURN_URL}?layers_oauth_error=token_exchange_failed`);
    expect((await status(state)).error.code).toBe("token_exchange_failed");
  });

  it("platform_error when the platform cannot be reached", async () => {
    const { state, callbackUrl } = await consent("instagram");
    setServices(deriveServices(base, { ...liveEnv(api.url, base.config), INSTAGRAM_API_BASE_URL: "http://127.0.0.1:1" }));
    try {
      expect((await callback(callbackUrl)).location).toBe(`${RETURN_URL}?layers_oauth_error=platform_error`);
    } finally {
      setServices(services);
    }
    expect((await status(state)).error.code).toBe("platform_error");
  });

  it("platform_error when the platform sends neither code nor error", async () => {
    const { state, callbackUrl } = await consent("tiktok");
    const bare = new URL(callbackUrl);
    bare.searchParams.delete("code");
    expect((await callback(bare.toString())).location).toBe(`${RETURN_URL}?layers_oauth_error=platform_error`);
    expect((await status(state)).status).toBe("failed");
  });
});

describe("callbacks that name no attempt", () => {
  it("render the unframeable hosted error page with HTTP 400 and redirect nowhere", async () => {
    const ulidShaped = "code=x&state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A";
    for (const query of ["code=x&state=st_00000000000000000000000000000000", ulidShaped, "code=x&state=garbage", "code=x", "error=access_denied&error_reason=user_denied"]) {
      const res = await callback(`${api.url}/v1/social/oauth/callback/instagram?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.location).toBeNull();
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.text).toContain("This connection link is not valid");
    }
  });

  it("a state on the other platform's path never succeeds and leaves the attempt usable", async () => {
    const { state, callbackUrl } = await consent("tiktok");
    const wrongPath = callbackUrl.replace("/callback/tiktok", "/callback/instagram");
    expect((await callback(wrongPath)).status).toBe(400);
    expect((await stateRow(state)).status).toBe("pending");
    expect((await callback(callbackUrl)).location).toBe(RETURN_URL);
  });

  it("the hosted connect page reads an unknown ULID-shaped state as unknown", async () => {
    expect(await connectView(domainContext(services), "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A")).toEqual({ kind: "unknown" });
  });

  it("an unknown platform path is the error page too", async () => {
    expect((await callback(`${api.url}/v1/social/oauth/callback/youtube?code=x&state=st_00000000000000000000000000000000`)).status).toBe(400);
  });
});

describe("disconnecting", () => {
  it("revokes the TikTok token at the platform and deletes the tokens", async () => {
    const { state, callbackUrl } = await consent("tiktok", { username: "leaver" });
    await callback(callbackUrl);
    const id = (await status(state)).socialAccountId;
    const accessToken = services.box.open((await accountRow(id)).accessTokenEnc!, SEALED.accessToken.at(id));
    const adapter = createPlatformAdapter(platformEndpoints(services.config, "tiktok", true));
    expect((await adapter.fetchProfile(accessToken, ["user.info.basic"])).username).toBeNull();

    expect((await request(api, "DELETE", `/v1/social/accounts/${id}`, { token: tenant.token })).status).toBe(204);
    await expect(adapter.fetchProfile(accessToken, ["user.info.basic"])).rejects.toMatchObject({ code: "profile_fetch_failed" });
    expect(await accountRow(id)).toMatchObject({ status: "disconnected", accessTokenEnc: null, refreshTokenEnc: null });
  });
});
