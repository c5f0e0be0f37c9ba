import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthStates } from "@/db/schema";
import type { Services } from "@/server/services";
import { seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";
import { LayersError } from "../src/index";
import { client, completeInSandbox, inFlight, sleep, unique } from "./support";

/**
 * `layers.social` against the real API routes and the sandbox over HTTP:
 * the seed page's call as printed, Idempotency-Key, the status read plain
 * and long-polled, and waitForConnection through whole sandbox connections.
 */
const SEED_RETURN_URL = "https://app.gicgrowth.com/connect/tiktok/return";
let base: Services;
let services: Services;
let api: TestApi;
let tenant: Tenant;

beforeAll(async () => {
  base = await startTestServices();
  ({ api, services } = await serveApiWithSandbox(base));
  tenant = await seedTenant(services, { allow: [SEED_RETURN_URL] });
});
afterAll(async () => {
  await api?.close();
  await base?.close();
});

const newAttempt = (layers: ReturnType<typeof client>["layers"]) =>
  layers.social.createOAuthUrl({ projectId: tenant.projectId, platform: "tiktok", returnUrl: SEED_RETURN_URL });

describe("social.createOAuthUrl", () => {
  it("runs the seed page's call as printed (with this test's project) and answers { authorizeUrl, state, expiresAt }", async () => {
    const { layers } = client(api, tenant.token);
    const started = Date.now();
    const { authorizeUrl, state, expiresAt } = await layers.social.createOAuthUrl({
      projectId: tenant.projectId,
      platform: "tiktok",
      returnUrl: "https://app.gicgrowth.com/connect/tiktok/return",
      usageNote: "Connecting Acme Coffee",
    });
    expect(state).toMatch(/^st_/);
    // A test key's URL is the sandbox's consent page, carrying the state.
    expect(new URL(authorizeUrl).searchParams.get("state")).toBe(state);
    expect(authorizeUrl.startsWith(`${api.url}/sandbox/tiktok/`)).toBe(true);
    const ttl = Date.parse(expiresAt) - started;
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000 + 5_000);
    expect(await layers.social.getOAuthStatus(state)).toMatchObject({ state, status: "pending", usageNote: "Connecting Acme Coffee", projectId: tenant.projectId });
  });

  it("sends an Idempotency-Key of its own on every create, a new one per call", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const first = await newAttempt(layers);
    const second = await newAttempt(layers);
    const keys = exchanges.map((exchange) => exchange.headers.get("idempotency-key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
    expect(second.state).not.toBe(first.state);
  });

  it("resends a create whose answer was lost with the same Idempotency-Key, and answers the state the server made the first time", async () => {
    const { layers, exchanges } = client(api, tenant.token, { script: (index) => (index === 0 ? "lose" : "real") });
    const created = await newAttempt(layers);
    expect(exchanges.map((exchange) => exchange.status)).toEqual(["lost", 200]);
    expect(exchanges[1]!.headers.get("idempotency-key")).toBe(exchanges[0]!.headers.get("idempotency-key"));
    // The first request did create an attempt; the retry got that one back, not a second.
    expect(JSON.parse(exchanges[0]!.answer).state).toBe(created.state);
  });

  it("uses the caller's idempotencyKey: the same key and body answer the same state, another body IDEMPOTENCY_CONFLICT", async () => {
    const { layers } = client(api, tenant.token);
    const idempotencyKey = unique("connect-acme");
    const params = { projectId: tenant.projectId, platform: "tiktok", returnUrl: SEED_RETURN_URL, usageNote: "first" } as const;
    const first = await layers.social.createOAuthUrl(params, { idempotencyKey });
    const again = await layers.social.createOAuthUrl(params, { idempotencyKey });
    expect(again.state).toBe(first.state);
    const conflict = await layers.social.createOAuthUrl({ ...params, usageNote: "second" }, { idempotencyKey }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(LayersError);
    expect(conflict).toMatchObject({ status: 409, code: "IDEMPOTENCY_CONFLICT" });
  });
});

describe("social.getOAuthStatus", () => {
  it("reads a pending attempt at once without wait, with no wait in the query", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const { state } = await newAttempt(layers);
    const attempt = await layers.social.getOAuthStatus(state);
    expect(attempt).toMatchObject({ state, status: "pending", platform: "tiktok", projectId: tenant.projectId, completedAt: null });
    expect(exchanges[1]!.url.search).toBe("");
  });

  it("with wait, answers completed about as soon as the callback completes, well before the wait is over", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const { state, authorizeUrl } = await newAttempt(layers);
    const started = Date.now();
    const poll = inFlight(layers.social.getOAuthStatus(state, { wait: 30 }));
    await sleep(1000);
    expect(poll.settled).toBe(false);
    await completeInSandbox(api, authorizeUrl, unique("poller"));
    const attempt = await poll.promise;
    expect(attempt).toMatchObject({ state, status: "completed", socialAccountId: expect.stringMatching(/^sa_/) });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(exchanges[1]!.url.searchParams.get("wait")).toBe("30");
  });
});

describe("social.waitForConnection", () => {
  it("resolves completed, with the account's id, when the end-customer connects in the sandbox", async () => {
    const { layers } = client(api, tenant.token);
    const { state, authorizeUrl } = await newAttempt(layers);
    const waiting = inFlight(layers.social.waitForConnection(state));
    await sleep(500);
    expect(waiting.settled).toBe(false);
    const username = unique("waited");
    await completeInSandbox(api, authorizeUrl, username);
    const attempt = await waiting.promise;
    if (attempt.status !== "completed") throw new Error(`expected completed, got ${attempt.status}`);
    expect(attempt.missingScopes).toEqual([]);
    expect(await layers.accounts.get(attempt.socialAccountId)).toMatchObject({ username, platform: "tiktok", status: "active", livemode: false });
  });

  it("resolves failed, with the error, when the end-customer cancels", async () => {
    const { layers } = client(api, tenant.token);
    const { state } = await newAttempt(layers);
    const waiting = inFlight(layers.social.waitForConnection(state));
    await sleep(500);
    const cancelled = await fetch(`${api.url}/v1/social/oauth/callback/tiktok?state=${state}&error=access_denied`, { redirect: "manual" });
    expect(cancelled.status).toBe(303);
    expect(await waiting.promise).toMatchObject({ state, status: "failed", error: { code: "access_denied" } });
  });

  it("resolves expired when the attempt expires while it waits", async () => {
    const { layers } = client(api, tenant.token);
    const { state } = await newAttempt(layers);
    await services.database.db.update(oauthStates).set({ expiresAt: new Date(Date.now() + 1500) }).where(eq(oauthStates.id, state));
    expect(await layers.social.waitForConnection(state)).toMatchObject({ state, status: "expired" });
  });

  it("resolves pending when its timeoutMs runs out first, after long-polls that add up to it", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const { state } = await newAttempt(layers);
    const started = Date.now();
    const attempt = await layers.social.waitForConnection(state, { timeoutMs: 2500 });
    expect(attempt).toMatchObject({ state, status: "pending" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const polls = exchanges.slice(1);
    expect(polls[0]!.url.searchParams.get("wait")).toBe("2");
    // Under a second left after the long-poll: one last plain read.
    expect(polls.at(-1)!.url.searchParams.has("wait")).toBe(false);
  });

  it("throws NOT_FOUND for a state the key does not own, instead of waiting", async () => {
    const { layers } = client(api, tenant.token);
    const other = await seedTenant(services, { allow: [SEED_RETURN_URL] });
    const { state } = await client(api, other.token).layers.social.createOAuthUrl({ projectId: other.projectId, platform: "tiktok", returnUrl: SEED_RETURN_URL });
    const error = await layers.social.waitForConnection(state).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});
