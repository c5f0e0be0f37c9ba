import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthStates, webhookDeliveries, webhookEvents } from "@/db/schema";
import { ABANDONED_MESSAGE, claimAttempt, endAbandonedAttempts, LEASE_MS } from "@/server/attempts/lease";
import { getAttemptStatus } from "@/server/attempts/report";
import { failAttempt } from "@/server/attempts/store";
import { bootstrap } from "@/server/bootstrap";
import { SEALED } from "@/server/crypto/sealed";
import { domainContext } from "@/server/domain/context";
import { modeScope, orgScope } from "@/server/domain/scope";
import { createWebhookEndpoint, deleteWebhookEndpoint } from "@/server/webhooks/endpoints";
import { keyScope } from "@/server/domain/scope";
import { handleOAuthCallback } from "@/server/oauth/callback";
import { createPlatformAdapter } from "@/server/oauth/platforms";
import { platformEndpoints, redirectUri, sandboxCredentials } from "@/server/oauth/platforms/config";
import { type Services, setServices } from "@/server/services";
import { apiRoutes, deriveServices, request, seedTenant, startTestServices, type Tenant, TestApi } from "@/test-support/harness";
import { consentToAuthorizeUrl, mountSandbox } from "@/test-support/sandbox";

/**
 * Issue 9 items 1 and 5 with a controlled clock: a claim whose callback died
 * is never left in between, and expired is final. A crash is simulated by
 * claiming a state (what a callback does first) and never finishing it. The
 * clock is set in the past where a sweep runs, so the sweep cannot end live
 * claims of other tests sharing the database.
 */
let base: Services;
let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  base = await startTestServices();
  api = await mountSandbox(await apiRoutes(new TestApi()));
  await api.listen();
  const url = api.url;
  services = deriveServices(base, {
    LAYERS_PUBLIC_URL: url,
    TIKTOK_CLIENT_KEY: "sandbox_tiktok",
    TIKTOK_CLIENT_SECRET: sandboxCredentials(base.config, "tiktok").clientSecret,
    TIKTOK_AUTHORIZE_URL: `${url}/sandbox/tiktok/v2/auth/authorize/`,
    TIKTOK_API_BASE_URL: `${url}/sandbox/tiktok`,
  });
  setServices(services);
  tenant = await seedTenant(services, { mode: "live", allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await base.close();
});

const ctx = () => domainContext(services);
const liveScope = () => modeScope(orgScope(tenant.orgId, { type: "system" }), "live");
const scope = () => keyScope({ id: tenant.keyId, orgId: tenant.orgId, mode: "live" });
const at = (time: Date, ms: number) => new Date(time.getTime() + ms);
const row = async (state: string) => (await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, state)))[0]!;
const readStatus = (state: string, now: Date) => getAttemptStatus(ctx(), scope(), { state }, { now });

/** A TikTok attempt through the sandbox's consent form: its state, the callback query, and when it expires. */
async function consent() {
  const created = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, {
    token: tenant.token,
    body: { platform: "tiktok", returnUrl: RETURN_URL },
  });
  expect(created.status).toBe(200);
  const consented = await consentToAuthorizeUrl(api, created.body.authorizeUrl, { username: `lease_${Math.random().toString(36).slice(2, 8)}` });
  expect(consented.status).toBe(303);
  const query = new URL(consented.headers.get("location")!).searchParams;
  return { state: created.body.state as string, query, expiresAt: new Date(created.body.expiresAt) };
}

const callback = (query: URLSearchParams, now: Date) => handleOAuthCallback(ctx(), "tiktok", query, null, { now, replayWaitMs: 0 });

/** Well before the wall clock: leases that run out at this clock's times have run out for everyone. */
const past = () => new Date(Date.now() - 4 * LEASE_MS);

describe("a claim whose callback crashed", () => {
  it("is claimed again by a replayed callback once the lease has run out, which completes it with the unspent code", async () => {
    const { state, query } = await consent();
    const t0 = past();
    expect(await claimAttempt(ctx(), state, t0)).toBeDefined();
    expect(await callback(query, at(t0, LEASE_MS + 1))).toEqual({ kind: "redirect", location: RETURN_URL });
    expect(await readStatus(state, at(t0, LEASE_MS + 2))).toMatchObject({ status: "completed", socialAccountId: expect.stringMatching(/^sa_/) });
  });

  it("ends server_error when the crash came after the code was spent: the platform refuses it, and the fault was Layers'", async () => {
    const { state, query } = await consent();
    const attempt = await row(state);
    // The first callback exchanged the code, then died before storing anything.
    const adapter = createPlatformAdapter(platformEndpoints(services.config, "tiktok", true));
    await adapter.exchangeCode({
      code: query.get("code")!,
      redirectUri: redirectUri(services.config, "tiktok"),
      codeVerifier: services.box.open(attempt.codeVerifierEnc!, SEALED.codeVerifier.at(state)),
    });
    const t0 = past();
    await claimAttempt(ctx(), state, t0);
    expect(await callback(query, at(t0, LEASE_MS + 1))).toEqual({ kind: "redirect", location: `${RETURN_URL}?layers_oauth_error=server_error` });
    const result = await readStatus(state, at(t0, LEASE_MS + 2));
    expect(result).toMatchObject({ status: "failed", error: { code: "server_error" } });
    // Every later reload answers the same outcome.
    expect(await callback(query, at(t0, 2 * LEASE_MS))).toEqual({ kind: "redirect", location: `${RETURN_URL}?layers_oauth_error=server_error` });
  });

  it("while the lease lives, a replay shows the 'try again in a moment' page and leaves the claim alone", async () => {
    const { state, query } = await consent();
    const t0 = new Date();
    await claimAttempt(ctx(), state, t0);
    const before = await row(state);
    const outcome = await callback(query, at(t0, 1000));
    expect(outcome).toMatchObject({ kind: "error_page", status: 503, title: "Still connecting" });
    expect(await row(state)).toEqual(before);
  });

  it("is ended failed/server_error by the sweep, which leaves live claims and unclaimed states alone", async () => {
    const abandoned = await consent();
    const live = await consent();
    const unclaimed = await consent();
    const t0 = past();
    await claimAttempt(ctx(), abandoned.state, t0);
    await claimAttempt(ctx(), live.state, at(t0, LEASE_MS));
    const sweptAt = at(t0, LEASE_MS + 1);
    expect(await endAbandonedAttempts(ctx(), sweptAt)).toBeGreaterThanOrEqual(1);
    expect(await row(abandoned.state)).toMatchObject({ status: "failed", errorCode: "server_error", errorMessage: ABANDONED_MESSAGE, completedAt: sweptAt });
    expect((await row(live.state)).status).toBe("processing");
    expect((await row(unclaimed.state)).status).toBe("pending");
    // The ended attempt's reload reaches the returnUrl with that outcome.
    expect(await callback(abandoned.query, at(sweptAt, 1))).toEqual({ kind: "redirect", location: `${RETURN_URL}?layers_oauth_error=server_error` });
  });

  it("is ended by the sweep at server start, which queues its oauth_attempt.failed for the project's endpoint", async () => {
    // An endpoint on the project: the end's event must be queued before the server has started anything else.
    const endpoint = await createWebhookEndpoint(domainContext(deriveServices(services, { LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" })), liveScope(), {
      projectId: tenant.projectId,
      readBody: async () => ({ url: "https://localhost:9/hooks", events: ["oauth_attempt.failed"] }),
    });
    try {
      const { state } = await consent();
      await claimAttempt(ctx(), state, past());
      await bootstrap(services, () => {});
      expect(await row(state)).toMatchObject({ status: "failed", errorCode: "server_error" });
      const queued = await services.database.db
        .select({ body: webhookEvents.body })
        .from(webhookDeliveries)
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(eq(webhookDeliveries.endpointId, endpoint.id));
      // (Claims of this file's earlier tests whose leases have run out by now end with it.)
      expect(queued.map((q) => JSON.parse(q.body).data.state)).toContain(state);
    } finally {
      await deleteWebhookEndpoint(ctx(), liveScope(), endpoint.id);
    }
  });

  it("reads as pending while the lease lives, then as failed/server_error, which the read stores", async () => {
    const { state } = await consent();
    const t0 = new Date();
    await claimAttempt(ctx(), state, t0);
    expect((await readStatus(state, at(t0, LEASE_MS - 1))).status).toBe("pending");
    const after = at(t0, LEASE_MS);
    expect(await readStatus(state, after)).toMatchObject({ status: "failed", error: { code: "server_error", message: ABANDONED_MESSAGE }, completedAt: after.toISOString() });
    expect(await row(state)).toMatchObject({ status: "failed", errorCode: "server_error" });
    expect((await readStatus(state, at(after, 3_600_000))).status).toBe("failed");
  });
});

describe("a callback replayed while another holds the claim", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const replay = (query: URLSearchParams) => handleOAuthCallback(ctx(), "tiktok", query, null, { replayWaitMs: 20_000 });

  it("answers the first one's outcome as soon as it ends, not at the end of its wait", async () => {
    const { state, query } = await consent();
    const claimed = (await claimAttempt(ctx(), state, new Date()))!;
    const started = Date.now();
    const replayed = replay(query);
    await sleep(500);
    // What the first callback does when the end-customer had cancelled.
    await failAttempt(ctx(), claimed, { errorCode: "access_denied", errorMessage: "The end-customer cancelled." }, new Date());
    expect(await replayed).toEqual({ kind: "redirect", location: `${RETURN_URL}?layers_oauth_error=access_denied` });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(services.attemptWaiters.count(state)).toBe(0);
  });

  it("takes the claim over as soon as its lease runs out, and completes with the unspent code", async () => {
    const { state, query } = await consent();
    // The first callback died a lease ago, less a second.
    await claimAttempt(ctx(), state, new Date(Date.now() - LEASE_MS + 1000));
    const started = Date.now();
    expect(await replay(query)).toEqual({ kind: "redirect", location: RETURN_URL });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await row(state)).status).toBe("completed");
  });
});

describe("expired is final", () => {
  it("a late callback redirects with state_expired, claims nothing, and the status stays expired", async () => {
    const { state, query, expiresAt } = await consent();
    const late = at(expiresAt, 1);
    expect((await readStatus(state, late)).status).toBe("expired");
    expect(await callback(query, late)).toEqual({ kind: "redirect", location: `${RETURN_URL}?layers_oauth_error=state_expired` });
    expect(await row(state)).toMatchObject({ status: "pending", leaseExpiresAt: null, completedAt: null });
    expect(await claimAttempt(ctx(), state, late)).toBeUndefined();
    expect((await readStatus(state, at(late, 3_600_000))).status).toBe("expired");
  });

  it("a state claimed before expiry that finishes after it completes: the claim is what counts", async () => {
    const { state, query, expiresAt } = await consent();
    const claimedAt = at(expiresAt, -1000);
    await claimAttempt(ctx(), state, claimedAt);
    // Past expiresAt but inside the lease: still pending, never expired.
    expect((await readStatus(state, at(expiresAt, 1000))).status).toBe("pending");
    expect(await callback(query, at(claimedAt, LEASE_MS + 1))).toEqual({ kind: "redirect", location: RETURN_URL });
    expect((await readStatus(state, at(claimedAt, LEASE_MS + 2))).status).toBe("completed");
  });
});
