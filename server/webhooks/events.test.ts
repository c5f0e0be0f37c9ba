import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { webhookEvents } from "@/db/schema";
import { claimAttempt, endAbandonedAttempts, LEASE_MS } from "@/server/attempts/lease";
import { domainContext } from "@/server/domain/context";
import { runWorkers } from "@/server/jobs/workers";
import type { Services } from "@/server/services";
import { freshDatabase } from "@/test-support/freshDatabase";
import { addKey, request, seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { consentToAuthorizeUrl, serveApiWithSandbox } from "@/test-support/sandbox";
import { type Receiver, startReceiver } from "@/test-support/webhookReceiver";

/**
 * The events an attempt's end sends (CONTRACT.md §8), end to end in real
 * time: a key creates an endpoint over REST, an end-customer connects
 * through the sandbox, and the workers (the real queue, on this file's own
 * database) deliver to a real https receiver, which checks the signature
 * with the standardwebhooks verifier.
 */
const RETURN_URL = "https://app.example.com/connect/return";
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let base: Services;
let services: Services;
let api: TestApi;
let receiver: Receiver;
let tenant: Tenant;
let secret: string;

beforeAll(async () => {
  fresh = await freshDatabase();
  base = await startTestServices({ env: { DATABASE_URL: fresh.url } });
  // The receiver is on localhost.
  ({ api, services } = await serveApiWithSandbox(base, { LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" }));
  await runWorkers(services.jobs, domainContext(services));
  receiver = await startReceiver();
  tenant = await seedTenant(services, { allow: [RETURN_URL], scopes: ["social:write", "social:read", "webhooks:write"] });
  const created = await request(api, "POST", `/v1/projects/${tenant.projectId}/webhook-endpoints`, { token: tenant.token, body: { url: receiver.url } });
  expect(created.status).toBe(201);
  secret = created.body.secret;
}, 120_000);
afterAll(async () => {
  await api?.close();
  await base?.close();
  await receiver?.close();
  await fresh?.drop();
});
beforeEach(() => void (receiver.received.length = 0));

/** The next event the receiver gets, verified with the endpoint's secret (in real time: the verifier's 5-minute window applies). */
async function nextEvent(type: string) {
  const got = await vi.waitFor(
    () => {
      const found = receiver.received.find((r) => JSON.parse(r.body).type === type);
      if (!found) throw new Error(`no ${type} yet`);
      return found;
    },
    { timeout: 15_000, interval: 50 },
  );
  return { headers: got.headers, body: new Webhook(secret).verify(got.body, got.headers) as { type: string; timestamp: string; data: Record<string, unknown> } };
}

async function connect(username: string) {
  const attempt = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
  const consent = await consentToAuthorizeUrl(api, attempt.body.authorizeUrl, { username });
  const callback = await fetch(consent.headers.get("location")!, { redirect: "manual" });
  expect(callback.headers.get("location")).toBe(RETURN_URL);
  return attempt.body.state as string;
}

describe("social_account.connected", () => {
  it("reaches the receiver within seconds of a sandbox connection, with a valid Standard Webhooks signature", async () => {
    const started = Date.now();
    const state = await connect("hooked_creator");
    const { headers, body } = await nextEvent("social_account.connected");
    expect(Date.now() - started).toBeLessThan(15_000);
    const status = await request(api, "GET", `/v1/social/oauth-status/${state}`, { token: tenant.token });
    expect(headers["webhook-id"]).toMatch(/^evt_/);
    expect(body.data).toMatchObject({
      id: status.body.socialAccountId,
      projectId: tenant.projectId,
      platform: "tiktok",
      username: "hooked_creator",
      status: "active",
      state,
      reconnected: false,
      missingScopes: [],
    });
    // The account as the REST API shows it: no token, sealed or not.
    expect(Object.keys(body.data).filter((key) => /token$|enc$/i.test(key))).toEqual([]);
  });

  it("says reconnected, with the same account id, when the same user connects again", async () => {
    await connect("returning_creator");
    const first = await nextEvent("social_account.connected");
    receiver.received.length = 0;
    const state = await connect("returning_creator");
    const again = await nextEvent("social_account.connected");
    expect(again.body.data).toMatchObject({ id: first.body.data.id, state, reconnected: true });
    expect(again.headers["webhook-id"]).not.toBe(first.headers["webhook-id"]);
  });
});

describe("oauth_attempt.failed", () => {
  it("is sent when the end-customer cancels on the consent page", async () => {
    const attempt = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
    const state = attempt.body.state as string;
    const cancelled = await fetch(`${api.url}/v1/social/oauth/callback/tiktok?state=${state}&error=access_denied&error_description=cancelled`, { redirect: "manual" });
    expect(new URL(cancelled.headers.get("location")!).searchParams.get("layers_oauth_error")).toBe("access_denied");
    const { body } = await nextEvent("oauth_attempt.failed");
    expect(body.data).toEqual({ state, projectId: tenant.projectId, platform: "tiktok", error: { code: "access_denied", message: expect.stringContaining("cancelled") } });
  });

  it("is sent when the sweep ends an abandoned claim, once, in the transaction that ends it", async () => {
    const attempt = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
    const state = attempt.body.state as string;
    const ctx = domainContext(services);
    await claimAttempt(ctx, state, new Date(Date.now() - LEASE_MS - 1_000));
    expect(await endAbandonedAttempts(ctx)).toBeGreaterThanOrEqual(1);
    expect(await endAbandonedAttempts(ctx)).toBe(0);
    const { body } = await nextEvent("oauth_attempt.failed");
    expect(body.data).toMatchObject({ state, error: { code: "server_error" } });
    const events = await services.database.db.select().from(webhookEvents).where(eq(webhookEvents.type, "oauth_attempt.failed"));
    expect(events.filter((e) => JSON.parse(e.body).data.state === state)).toHaveLength(1);
  });

  it("of a test-mode attempt never reaches the project's live endpoint", async () => {
    const live = await addKey(services, tenant.orgId, { mode: "live", scopes: ["webhooks:write"] });
    const liveReceiver = await startReceiver();
    try {
      const made = await request(api, "POST", `/v1/projects/${tenant.projectId}/webhook-endpoints`, { token: live.token, body: { url: liveReceiver.url } });
      expect(made.status).toBe(201);
      const attempt = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
      await fetch(`${api.url}/v1/social/oauth/callback/tiktok?state=${attempt.body.state}&error=access_denied`, { redirect: "manual" });
      expect((await nextEvent("oauth_attempt.failed")).body.data.state).toBe(attempt.body.state);
      expect(liveReceiver.received).toEqual([]);
    } finally {
      await liveReceiver.close();
    }
  });
});
