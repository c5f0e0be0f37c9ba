import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/db/ids";
import type { Services } from "@/server/services";
import { addKey, seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";
import { Layers, LayersError } from "../src/index";
import { caught, client, errorAnswer, recordingFetch, sleep } from "./support";

/**
 * What the SDK does when an answer is not final: 429 against a real key
 * budget (waiting out Retry-After), 503 and lost connections (resent only
 * where that is safe), and the per-call timeout against a real long-poll.
 */
const RETURN_URL = "https://app.example.com/connect/return";
let base: Services;
let api: TestApi;
let tenant: Tenant;

beforeAll(async () => {
  base = await startTestServices();
  ({ api } = await serveApiWithSandbox(base));
  tenant = await seedTenant(base, { allow: [RETURN_URL] });
});
afterAll(async () => {
  await api?.close();
  await base?.close();
});

const oauthUrl = () => ({ projectId: tenant.projectId, platform: "tiktok", returnUrl: RETURN_URL }) as const;

/**
 * Waits for the start of the next rate window. The limiter's windows are
 * fixed and aligned to the epoch (`floor(now / window)`, in memory and in
 * Redis alike), so the calls a test makes right after this share a window
 * however slow the machine, and the one over budget is surely refused.
 */
const WINDOW_MS = 3000;
const nextWindow = () => sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 20);

describe("429 RATE_LIMITED", () => {
  it("is retried after the Retry-After the API sent, with the same Idempotency-Key, and the call succeeds", async () => {
    const limited = await addKey(base, tenant.orgId, { writeLimit: `1/${WINDOW_MS / 1000}s`, allow: [RETURN_URL] });
    const { layers, exchanges } = client(api, limited.token);
    await nextWindow();
    await layers.social.createOAuthUrl(oauthUrl());
    exchanges.length = 0;
    const created = await layers.social.createOAuthUrl(oauthUrl());
    expect(created.state).toMatch(/^st_/);
    const [refused, retried] = exchanges;
    expect(exchanges.map((exchange) => exchange.status)).toEqual([429, 200]);
    const retryAfter = Number(refused!.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Not sooner than the API asked (timers may round by a few ms).
    expect(retried!.sentAt - refused!.answeredAt).toBeGreaterThanOrEqual(retryAfter * 1000 - 50);
    expect(retried!.headers.get("idempotency-key")).toBe(refused!.headers.get("idempotency-key"));
  });

  it("with maxRetries: 0, is thrown at once as RATE_LIMITED (429) with retryAfter", async () => {
    const limited = await addKey(base, tenant.orgId, { writeLimit: `1/${WINDOW_MS / 1000}s`, allow: [RETURN_URL] });
    const { layers, exchanges } = client(api, limited.token, { maxRetries: 0 });
    await nextWindow();
    await layers.social.createOAuthUrl(oauthUrl());
    const error = await caught(() => layers.social.createOAuthUrl(oauthUrl()));
    expect(error).toBeInstanceOf(LayersError);
    expect(error).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfter: Number(exchanges[1]!.retryAfter), requestId: expect.stringMatching(/^req_/) });
    expect((error as LayersError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(exchanges).toHaveLength(2);
  });

  it("is thrown without waiting when Retry-After is over the SDK's 60 s cap", async () => {
    const { layers, exchanges } = client(api, tenant.token, { script: () => errorAnswer(429, "RATE_LIMITED", { "retry-after": "3600" }) });
    const started = Date.now();
    expect(await caught(() => layers.accounts.list(tenant.projectId))).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfter: 3600 });
    expect(exchanges).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("is retried at most maxRetries times, then thrown", async () => {
    const { layers, exchanges } = client(api, tenant.token, { maxRetries: 1, script: () => errorAnswer(429, "RATE_LIMITED", { "retry-after": "0" }) });
    expect(await caught(() => layers.accounts.list(tenant.projectId))).toMatchObject({ code: "RATE_LIMITED" });
    expect(exchanges).toHaveLength(2);
  });
});

describe("503 and lost connections", () => {
  it("a 503 UNAVAILABLE of a read is retried after its Retry-After, and the call succeeds", async () => {
    const { layers, exchanges } = client(api, tenant.token, { script: (i) => (i === 0 ? errorAnswer(503, "UNAVAILABLE", { "retry-after": "1" }) : "real") });
    expect(await layers.accounts.list(tenant.projectId)).toEqual({ data: [], nextCursor: null });
    expect(exchanges.map((exchange) => exchange.status)).toEqual([503, 200]);
    expect(exchanges[1]!.sentAt - exchanges[0]!.answeredAt).toBeGreaterThanOrEqual(950);
  });

  it("a 503 of a write without an Idempotency-Key is thrown, not resent: it may have been done", async () => {
    const { layers, exchanges } = client(api, tenant.token, { script: () => errorAnswer(503, "UNAVAILABLE", { "retry-after": "0" }) });
    expect(await caught(() => layers.webhookEndpoints.sendTest(newId("we")))).toMatchObject({ status: 503, code: "UNAVAILABLE" });
    expect(exchanges).toHaveLength(1);
  });

  it("a read whose connection fails is retried with backoff, then thrown as NETWORK_ERROR (status 0)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const recorder = recordingFetch();
    const layers = new Layers({ apiKey: tenant.token, baseUrl: `http://127.0.0.1:${port}`, fetch: recorder.fetch, maxRetries: 2 });
    const error = await caught(() => layers.accounts.list(tenant.projectId));
    expect(error).toBeInstanceOf(LayersError);
    expect(error).toMatchObject({ status: 0, code: "NETWORK_ERROR", requestId: undefined });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect(recorder.exchanges).toHaveLength(3);
  });
});

describe("timeouts and aborts", () => {
  it("a call over its timeoutMs throws TIMEOUT (status 0) well before the long-poll's wait is over, and is not retried", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const { state } = await layers.social.createOAuthUrl(oauthUrl());
    const started = Date.now();
    const error = await caught(() => layers.social.getOAuthStatus(state, { wait: 30, timeoutMs: 300 }));
    expect(error).toBeInstanceOf(LayersError);
    expect(error).toMatchObject({ status: 0, code: "TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(exchanges).toHaveLength(2);
  });

  it("the client's timeoutMs is stretched by a long-poll's wait (a 4 s wait outlasts a 2 s timeout); a call's own timeoutMs is not", async () => {
    const { layers } = client(api, tenant.token, { timeoutMs: 2000 });
    const { state } = await layers.social.createOAuthUrl(oauthUrl());
    expect(await layers.social.getOAuthStatus(state, { wait: 4 })).toMatchObject({ state, status: "pending" });
    expect(await caught(() => layers.social.getOAuthStatus(state, { wait: 4, timeoutMs: 2000 }))).toMatchObject({ code: "TIMEOUT" });
  });

  it("an AbortSignal ends waitForConnection at once, as ABORTED", async () => {
    const { layers } = client(api, tenant.token);
    const { state } = await layers.social.createOAuthUrl(oauthUrl());
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    expect(await caught(() => layers.social.waitForConnection(state, { signal: controller.signal }))).toMatchObject({ status: 0, code: "ABORTED" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
