/**
 * The breaker in front of a remote store: its logic over a scripted store with
 * an injected clock, then over real stores that freeze (a Redis behind a proxy
 * that stops forwarding, an Upstash URL that never answers), counting what
 * reaches them, and through the API.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setLogSink } from "../log";
import type { Services } from "@/server/services";
import { request, seedTenant, startApi, startTestServices, type TestApi } from "@/test-support/harness";
import { BreakerRateLimiter } from "./breaker";
import { type Budget, parseBudget } from "./budget";
import { createRateLimiter, createRedisRateLimiter } from "./index";
import { type RateDecision, type RateLimiter, RateLimitUnavailableError } from "./types";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = randomBytes(6).toString("hex");
const STORE_FAULT = "rate limit store unavailable; requests pass unlimited";
const b = parseBudget("3/60s") as Budget;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** A store whose health the test sets; counts every call that reaches it. */
class ScriptedStore implements RateLimiter {
  readonly backend = "redis" as const;
  healthy = false;
  calls = 0;
  private answer(): RateDecision {
    return { success: true, limit: 3, remaining: 2, resetMs: 60_000 };
  }
  async limit(): Promise<RateDecision> {
    this.calls++;
    return this.healthy ? this.answer() : { ...this.answer(), remaining: 3, failedOpen: true };
  }
  async charge(): Promise<RateDecision> {
    return this.peek();
  }
  async peek(): Promise<RateDecision> {
    this.calls++;
    if (!this.healthy) throw new RateLimitUnavailableError(new Error("down"));
    return this.answer();
  }
  async close() {}
}

function scripted() {
  let now = 1_000_000;
  const store = new ScriptedStore();
  const breaker = new BreakerRateLimiter(store, { cooldownMs: 5_000, now: () => now });
  return { store, breaker, advance: (ms: number) => (now += ms) };
}

describe("breaker logic (scripted store, injected clock)", () => {
  it("after one fault the next calls fail open without touching the store", async () => {
    const { store, breaker } = scripted();
    expect(await breaker.limit("k", b)).toMatchObject({ failedOpen: true });
    expect(store.calls).toBe(1);
    expect(breaker.isOpen).toBe(true);
    for (let i = 0; i < 50; i++) expect(await breaker.limit("k", b)).toMatchObject({ success: true, failedOpen: true, limit: 3 });
    expect(store.calls).toBe(1);
  });

  it("strict calls fail closed at once while open, without touching the store", async () => {
    const { store, breaker } = scripted();
    await breaker.limit("k", b);
    await expect(breaker.charge("k", b, 1)).rejects.toBeInstanceOf(RateLimitUnavailableError);
    await expect(breaker.peek("k", b)).rejects.toBeInstanceOf(RateLimitUnavailableError);
    expect(store.calls).toBe(1);
  });

  it("a strict fault opens it too", async () => {
    const { store, breaker } = scripted();
    await expect(breaker.charge("k", b, 1)).rejects.toBeInstanceOf(RateLimitUnavailableError);
    expect(await breaker.limit("k", b)).toMatchObject({ failedOpen: true });
    expect(store.calls).toBe(1);
  });

  it("after the cooldown one background probe runs; a fault keeps it open for another cooldown", async () => {
    const { store, breaker, advance } = scripted();
    await breaker.limit("k", b);
    advance(4_999);
    await breaker.limit("k", b);
    expect(breaker.probing).toBeUndefined();
    advance(1);
    // Many calls at once: all fail open, exactly one probe reaches the store.
    const decisions = await Promise.all(Array.from({ length: 10 }, () => breaker.limit("k", b)));
    for (const d of decisions) expect(d.failedOpen).toBe(true);
    await breaker.probing;
    expect(store.calls).toBe(2);
    expect(breaker.isOpen).toBe(true);
    advance(4_999);
    await breaker.limit("k", b);
    expect(store.calls).toBe(2);
  });

  it("a background probe closes the breaker once the store answers", async () => {
    const { store, breaker, advance } = scripted();
    await breaker.limit("k", b);
    store.healthy = true;
    advance(5_000);
    expect(await breaker.limit("k", b)).toMatchObject({ failedOpen: true });
    await breaker.probing;
    expect(breaker.isOpen).toBe(false);
    expect(await breaker.limit("k", b)).toEqual({ success: true, limit: 3, remaining: 2, resetMs: 60_000 });
    expect(await breaker.charge("k", b, 1)).toMatchObject({ success: true });
  });
});

/** A TCP proxy to Redis that can freeze: it then forwards nothing and counts what it holds back. */
async function freezableProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const state = { frozen: false, heldBack: 0 };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on("data", (chunk) => (state.frozen ? state.heldBack++ : upstream.write(chunk)));
    upstream.on("data", (chunk) => state.frozen || client.write(chunk));
    for (const s of [client, upstream]) s.on("error", () => {}).on("close", () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => (server.close(() => resolve()), sockets.forEach((s) => s.destroy()))));
  return { url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

function captureLogs() {
  const lines: { msg: string }[] = [];
  const previous = setLogSink((line) => lines.push(JSON.parse(line)));
  return { count: (msg: string) => lines.filter((l) => l.msg === msg).length, restore: () => setLogSink(previous) };
}

describe("breaker over real stores", () => {
  it("a Redis that freezes: one timeout, then nothing reaches it, the fault is logged once", { timeout: 10_000 }, async () => {
    const logs = captureLogs();
    try {
      const proxy = await freezableProxy(REDIS_URL);
      const limiter = await createRedisRateLimiter(proxy.url, `test:${RUN}:frozen`);
      cleanups.push(() => limiter.close());
      const id = `test:${RUN}:frozen:${randomBytes(4).toString("hex")}`;
      expect((await limiter.limit(id, b)).failedOpen).toBeUndefined();
      proxy.state.frozen = true;
      expect(await limiter.limit(id, b)).toMatchObject({ failedOpen: true });
      const heldBack = proxy.state.heldBack;
      expect(heldBack).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) expect(await limiter.limit(id, b)).toMatchObject({ success: true, failedOpen: true });
      await expect(limiter.charge(id, b, 1)).rejects.toBeInstanceOf(RateLimitUnavailableError);
      expect(proxy.state.heldBack).toBe(heldBack);
      expect(logs.count(STORE_FAULT)).toBe(1);
    } finally {
      logs.restore();
    }
  });

  it("an Upstash URL that never answers: after one timeout no request reaches it", { timeout: 10_000 }, async () => {
    const logs = captureLogs();
    try {
      let received = 0;
      const sockets = new Set<Socket>();
      const hung = createHttpServer(() => received++);
      hung.on("connection", (s: Socket) => sockets.add(s));
      await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
      cleanups.push(() => new Promise<void>((resolve) => (hung.close(() => resolve()), sockets.forEach((s) => s.destroy()))));
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
      const limiter = await createRateLimiter({ upstash: { url, token: "t" }, redisUrl: undefined });
      expect(await limiter.limit("k", b)).toMatchObject({ failedOpen: true });
      const reached = received;
      for (let i = 0; i < 20; i++) expect(await limiter.limit("k", b)).toMatchObject({ failedOpen: true });
      await expect(limiter.peek("k", b)).rejects.toBeInstanceOf(RateLimitUnavailableError);
      expect(received).toBe(reached);
      expect(logs.count(STORE_FAULT)).toBe(1);
    } finally {
      logs.restore();
    }
  });
});

describe("the API while failing open", () => {
  // Services are made before the test (under the hook timeout): on a loaded machine a PGlite start alone can take seconds.
  const store = new ScriptedStore();
  let services: Services;
  let api: TestApi;
  beforeAll(async () => {
    services = await startTestServices({ limiter: new BreakerRateLimiter(store) });
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
    await services?.close();
  });

  it("answers 200 with no X-RateLimit-* headers: it counted nothing, so it claims no numbers", async () => {
    const tenant = await seedTenant(services, { allow: ["https://app.example.com/r"] });
    const call = () =>
      request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, {
        token: tenant.token,
        body: { platform: "tiktok", returnUrl: "https://app.example.com/r" },
      });
    for (const res of [await call(), await call()]) {
      expect(res.status).toBe(200);
      for (const h of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) expect(res.headers.get(h)).toBeNull();
    }
    expect(store.calls).toBe(1);
  });
});
