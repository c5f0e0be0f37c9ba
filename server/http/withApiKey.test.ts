import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "@/db/schema";
import { openDatabase } from "@/db/client";
import { createRateLimiter, type RateLimiter } from "../ratelimit";
import { MemoryRateLimiter } from "../ratelimit/memory";
import { startUpstashRestShim } from "@/test-support/upstashRestShim";
import { type Services, setServices } from "../services";
import { capturedLogs, request, seedTenant, startApi, startTestServices, type Tenant, TestApi } from "@/test-support/harness";
import { routeModule } from "@/test-support/testApi";
import { withApiKey } from "./withApiKey";

let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  tenant = await seedTenant(services, { allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await services.close();
});

const oauthUrl = (headers: Record<string, string> = {}, token = tenant.token) =>
  request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, {
    token,
    headers,
    body: { platform: "tiktok", returnUrl: RETURN_URL },
  });

describe("request ids", () => {
  it("gives every response a fresh req_ id, in the header and the error body", async () => {
    const ok = await oauthUrl();
    expect(ok.headers.get("x-request-id")).toMatch(/^req_[0-9A-Z]{26}$/);
    const denied = await oauthUrl({}, "nope");
    expect(denied.headers.get("x-request-id")).toBe(denied.body.error.requestId);
    expect(denied.headers.get("x-request-id")).not.toBe(ok.headers.get("x-request-id"));
  });

  it("reuses a valid incoming X-Request-Id and replaces one that is not an id", async () => {
    const reused = await oauthUrl({ "x-request-id": "req_01HXZ8K2M4P5QRS6TV7WXYZ9AB" });
    expect(reused.headers.get("x-request-id")).toBe("req_01HXZ8K2M4P5QRS6TV7WXYZ9AB");
    const uuid = "6f1c1a9e-3f7b-4a55-9a2e-9b1e2d3c4f5a";
    expect((await oauthUrl({ "x-request-id": uuid })).headers.get("x-request-id")).toBe(uuid);
    for (const bad of ["<script>alert(1)</script>", "a b c d e f g h", "x".repeat(200), "short"]) {
      expect((await oauthUrl({ "x-request-id": bad })).headers.get("x-request-id")).toMatch(/^req_/);
    }
  });
});

describe("methods a route does not serve", () => {
  it("get the JSON error body with 405, Allow and a request id", async () => {
    const route = await routeModule("/v1/projects/:projectId/social/oauth-url");
    const account = await routeModule("/v1/social/accounts/:id");
    const res = await route.PUT!(new Request("http://layers.test/v1/projects/prj_x/social/oauth-url", { method: "PUT" }), { params: Promise.resolve({}) });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "METHOD_NOT_ALLOWED", requestId: res.headers.get("x-request-id") });
    const patch = await account.PATCH!(new Request("http://layers.test/v1/social/accounts/sa_x", { method: "PATCH" }), { params: Promise.resolve({}) });
    expect(patch.headers.get("allow")).toBe("GET, DELETE");
  });
});

describe("logging", () => {
  it("writes one JSON line per request with id, route, status, duration and key id, and never the token", async () => {
    capturedLogs.length = 0;
    const res = await oauthUrl({ "x-request-id": "req_01HXZ8K2M4P5QRS6TV7WXYZ9AC" });
    const lines = capturedLogs.filter((l) => l.requestId === "req_01HXZ8K2M4P5QRS6TV7WXYZ9AC");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      msg: "request",
      method: "POST",
      route: `/v1/projects/${tenant.projectId}/social/oauth-url`,
      status: res.status,
      keyId: tenant.keyId,
    });
    expect(typeof lines[0]!.durationMs).toBe("number");
    const secret = tenant.token.split("_")[3]!;
    expect(JSON.stringify(capturedLogs)).not.toContain(secret);
  });
});

describe("rate-limit headers", () => {
  it("are on every authenticated response, errors included", async () => {
    const notFound = await request(api, "POST", `/v1/projects/prj_01HX9Y7K8M2P4RSTV56789ABCD/social/oauth-url`, {
      token: tenant.token,
      body: {},
    });
    expect(notFound.status).toBe(404);
    for (const h of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) expect(notFound.headers.get(h)).toMatch(/^\d+$/);
  });

  it("count writes and reads in separate budgets", async () => {
    const key = await seedTenant(services, { allow: [RETURN_URL], writeLimit: "5/60s", readLimit: "7/60s" });
    const write = await request(api, "POST", `/v1/projects/${key.projectId}/social/oauth-url`, {
      token: key.token,
      body: { platform: "tiktok", returnUrl: RETURN_URL },
    });
    const read = await request(api, "GET", `/v1/social/oauth-status/${write.body.state}`, { token: key.token });
    expect([write.headers.get("x-ratelimit-limit"), write.headers.get("x-ratelimit-remaining")]).toEqual(["5", "4"]);
    expect([read.headers.get("x-ratelimit-limit"), read.headers.get("x-ratelimit-remaining")]).toEqual(["7", "6"]);
  });
});

describe.each(["memory", "redis", "upstash"] as const)("429 over HTTP with the %s backend", (backend) => {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let limiter: RateLimiter;
  let shim: Awaited<ReturnType<typeof startUpstashRestShim>> | undefined;

  beforeAll(async () => {
    if (backend === "upstash") shim = await startUpstashRestShim({ redisUrl, token: "test-token" });
    limiter =
      backend === "memory"
        ? new MemoryRateLimiter()
        : await createRateLimiter(backend === "redis" ? { redisUrl, upstash: undefined } : { redisUrl: undefined, upstash: { url: shim!.url, token: "test-token" } });
    expect(limiter.backend).toBe(backend);
    setServices({ ...services, limiter });
  });
  afterAll(async () => {
    setServices(services);
    await limiter.close();
    await shim?.close();
  });

  it("counts the key's write budget and answers 429 with Retry-After when it is spent", async () => {
    const key = await seedTenant(services, { allow: [RETURN_URL], writeLimit: "2/60s" });
    const replies = [];
    for (let i = 0; i < 3; i++) {
      replies.push(
        await request(api, "POST", `/v1/projects/${key.projectId}/social/oauth-url`, { token: key.token, body: { platform: "tiktok", returnUrl: RETURN_URL } }),
      );
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(replies.map((r) => r.headers.get("x-ratelimit-remaining"))).toEqual(["1", "0", "0"]);
    expect(replies[2]!.body.error.code).toBe("RATE_LIMITED");
    expect(Number(replies[2]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const resets = new Set(replies.map((r) => r.headers.get("x-ratelimit-reset")));
    expect(resets.size).toBe(1);
  });
});

describe("key use", () => {
  it("records last use, but not on every request", async () => {
    const key = await seedTenant(services, { allow: [RETURN_URL] });
    const lastUsed = async () =>
      (await services.database.db.select({ at: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, key.keyId)))[0]!.at;
    expect(await lastUsed()).toBeNull();
    const call = () =>
      request(api, "POST", `/v1/projects/${key.projectId}/social/oauth-url`, { token: key.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
    await call();
    await expect.poll(lastUsed).not.toBeNull();
    const first = await lastUsed();
    // The recorded time is recent, so a second request within the minute leaves it alone.
    await call();
    await call();
    await new Promise((r) => setTimeout(r, 200));
    expect((await lastUsed())?.getTime()).toBe(first?.getTime());
  });
});

describe("faults", () => {
  it("keeps serving when Redis is down: the rate limit fails open", async () => {
    const refused = await createRateLimiter({ redisUrl: "redis://127.0.0.1:1", upstash: undefined });
    setServices({ ...services, limiter: refused });
    try {
      const replies = await Promise.all([1, 2, 3].map(() => oauthUrl()));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      // Nothing was counted, so no numbers are claimed.
      for (const reply of replies) expect(reply.headers.get("x-ratelimit-limit")).toBeNull();
      expect(capturedLogs.filter((l) => l.msg === "rate limit store unavailable; requests pass unlimited")).toHaveLength(1);
    } finally {
      setServices(services);
      await refused.close();
    }
  });

  it("answers 503 UNAVAILABLE with Retry-After when the database is down", async () => {
    const down = await openDatabase({ databaseUrl: "postgres://postgres@127.0.0.1:1/none", dataDir: "memory://" });
    setServices({ ...services, database: down, limiter: new MemoryRateLimiter() });
    try {
      const res = await oauthUrl();
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("UNAVAILABLE");
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|select/i);
    } finally {
      setServices(services);
      await down.close();
    }
  });

  it("answers 500 INTERNAL with the request id and logs the fault, revealing nothing", async () => {
    const failing = withApiKey({ scopes: ["social:read"] }, async () => {
      throw new Error("secret detail: password=hunter2");
    });
    const broken = await new TestApi().route("GET", "/v1/broken", failing).listen();
    try {
      capturedLogs.length = 0;
      const res = await request(broken, "GET", "/v1/broken", { token: tenant.token });
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe("INTERNAL");
      expect(res.body.error.message).toContain(res.body.error.requestId);
      expect(res.text).not.toContain("hunter2");
      const logged = capturedLogs.find((l) => l.msg === "unhandled error");
      expect(logged?.requestId).toBe(res.body.error.requestId);
    } finally {
      await broken.close();
    }
  });
});
