import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newStateId } from "@/db/ids";
import { oauthStates } from "@/db/schema";
import { claimAttempt, LEASE_MS } from "@/server/attempts/lease";
import { getAttemptStatus } from "@/server/attempts/report";
import { failAttempt } from "@/server/attempts/store";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { handleOAuthCallback } from "@/server/oauth/callback";
import type { Services } from "@/server/services";
import { addKey, request, seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { consentToAuthorizeUrl, serveApiWithSandbox } from "@/test-support/sandbox";
import { secondInstance } from "@/test-support/secondInstance";
import { GET } from "./route";

/**
 * `?wait=N` (issue 11 item 6): the status read held until the attempt ends,
 * woken by NOTIFY on whichever instance ended it. Timings are asserted only
 * coarsely: "well before the wait was over", never to the millisecond.
 */
let base: Services;
let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  base = await startTestServices();
  ({ api, services } = await serveApiWithSandbox(base));
  tenant = await seedTenant(services, { allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await base.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ctx = () => domainContext(services);
const status = (state: string, query = "", token = tenant.token) => request(api, "GET", `/v1/social/oauth-status/${state}${query}`, { token });

async function createAttempt(token = tenant.token) {
  const res = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
  expect(res.status).toBe(200);
  return res.body as { state: string; authorizeUrl: string };
}

/** An attempt the end-customer has consented to: the callback URL the browser would open next. */
async function consented() {
  const attempt = await createAttempt();
  const consent = await consentToAuthorizeUrl(api, attempt.authorizeUrl, { username: `poll_${Math.random().toString(36).slice(2, 8)}` });
  expect(consent.status).toBe(303);
  return { state: attempt.state, callbackUrl: new URL(consent.headers.get("location")!) };
}

/** A request that is still out, and whether it has been answered. */
function inFlight<T>(promise: Promise<T>) {
  const flight = { answered: false, promise };
  void promise.then(() => (flight.answered = true));
  return flight;
}

describe("GET oauth-status?wait=N", () => {
  it("answers completed about as soon as the callback completes, well before the wait is over", async () => {
    const { state, callbackUrl } = await consented();
    const started = Date.now();
    const poll = inFlight(status(state, "?wait=30"));
    await sleep(1000);
    expect(poll.answered).toBe(false);
    expect((await fetch(callbackUrl, { redirect: "manual" })).status).toBe(303);
    const res = await poll.promise;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state, status: "completed", socialAccountId: expect.stringMatching(/^sa_/) });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("wakes on one instance when the callback completes on another", async () => {
    const other = await secondInstance(services);
    try {
      // The wait on this instance (the test server), the callback on the other, with its own connections.
      const first = await consented();
      const started = Date.now();
      const poll = inFlight(status(first.state, "?wait=30"));
      await sleep(500);
      const outcome = await handleOAuthCallback(domainContext(other), "tiktok", first.callbackUrl.searchParams, null);
      expect(outcome).toEqual({ kind: "redirect", location: RETURN_URL });
      expect((await poll.promise).body.status).toBe("completed");
      expect(Date.now() - started).toBeLessThan(10_000);

      // And the other way round: the other instance's waiters, this instance's callback.
      const second = await consented();
      const scope = keyScope({ id: tenant.keyId, orgId: tenant.orgId, mode: "test" });
      const watching = inFlight(getAttemptStatus(domainContext(other), scope, { state: second.state, wait: ["30"] }));
      await vi.waitFor(() => expect(other.attemptWaiters.count(second.state)).toBe(1));
      expect((await fetch(second.callbackUrl, { redirect: "manual" })).status).toBe(303);
      expect((await watching.promise).status).toBe("completed");
    } finally {
      await other.close();
    }
  });

  it("answers pending when N seconds pass with no callback", async () => {
    const { state } = await createAttempt();
    const started = Date.now();
    const res = await status(state, "?wait=1");
    expect(res.body.status).toBe("pending");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(services.attemptWaiters.count(state)).toBe(0);
  });

  it("answers expired when the state expires during the wait, not at the end of it", async () => {
    const { state } = await createAttempt();
    await services.database.db.update(oauthStates).set({ expiresAt: new Date(Date.now() + 1000) }).where(eq(oauthStates.id, state));
    const started = Date.now();
    const res = await status(state, "?wait=20");
    expect(res.body.status).toBe("expired");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("keeps waiting while a callback holds the claim, and answers its outcome when it ends", async () => {
    const { state } = await createAttempt();
    const claimed = (await claimAttempt(ctx(), state, new Date()))!;
    const poll = inFlight(status(state, "?wait=20"));
    await sleep(1000);
    expect(poll.answered).toBe(false);
    await failAttempt(ctx(), claimed, { errorCode: "access_denied", errorMessage: "The end-customer cancelled." }, new Date());
    expect((await poll.promise).body).toMatchObject({ status: "failed", error: { code: "access_denied" } });
  });

  it("answers failed/server_error when the claim's lease runs out during the wait", async () => {
    const { state } = await createAttempt();
    // Claimed long enough ago that the lease has a second left.
    await claimAttempt(ctx(), state, new Date(Date.now() - LEASE_MS + 1000));
    const started = Date.now();
    const res = await status(state, "?wait=20");
    expect(res.body).toMatchObject({ status: "failed", error: { code: "server_error" } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, state)))[0]!.status).toBe("failed");
  });

  it("holds no pooled connection while it waits: with 20 waiting on a pool of 4, another request is answered at once", async () => {
    const { state } = await createAttempt();
    const other = await createAttempt();
    const polls = Array.from({ length: 20 }, () => inFlight(status(state, "?wait=5")));
    await vi.waitFor(() => expect(services.attemptWaiters.count(state)).toBe(20), { timeout: 4000 });
    const started = Date.now();
    expect((await status(other.state)).body.status).toBe("pending");
    expect(Date.now() - started).toBeLessThan(1500);
    expect(polls.some((poll) => poll.answered)).toBe(false);
    for (const res of await Promise.all(polls.map((poll) => poll.promise))) expect(res.body.status).toBe("pending");
  });

  it("counts once against the read budget", async () => {
    // An hour's window: the long-poll takes a second, and a fixed minute window could turn over in it (seen in CI).
    const limited = await addKey(services, tenant.orgId, { readLimit: "3/1h", allow: [RETURN_URL] });
    const { state } = await createAttempt(limited.token);
    const polled = await status(state, "?wait=1", limited.token);
    expect(polled.body.status).toBe("pending");
    expect(polled.headers.get("x-ratelimit-remaining")).toBe("2");
    expect((await status(state, "", limited.token)).headers.get("x-ratelimit-remaining")).toBe("1");
  });

  it("ends when the client goes away: the waiter is dropped and nothing more is read", async () => {
    const { state } = await createAttempt();
    const client = new AbortController();
    const req = new Request(`${api.url}/v1/social/oauth-status/${state}?wait=30`, { headers: { authorization: `Bearer ${tenant.token}` }, signal: client.signal });
    const answer = inFlight(GET(req, { params: Promise.resolve({ state }) }));
    await vi.waitFor(() => expect(services.attemptWaiters.count(state)).toBe(1));
    const started = Date.now();
    client.abort();
    await answer.promise;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(services.attemptWaiters.count(state)).toBe(0);
  });

  it("is 400 VALIDATION naming wait for anything but one whole number from 1 to 30, after the 404 of an unknown state", async () => {
    const { state } = await createAttempt();
    for (const query of ["?wait=0", "?wait=31", "?wait=1.5", "?wait=x", "?wait=", "?wait=1e1", "?wait=+5", "?wait=5&wait=5"]) {
      const res = await status(state, query);
      expect([res.status, res.body.error?.code, res.body.error?.issues?.[0]?.path], query).toEqual([400, "VALIDATION", "wait"]);
    }
    expect((await status(newStateId(), "?wait=0")).status).toBe(404);
    expect((await status(newStateId(), "?wait=1")).status).toBe(404);
  });
});
