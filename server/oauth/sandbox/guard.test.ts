import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { capturedLogs, startTestServices, type TestApi } from "@/test-support/harness";
import { read, startSandboxApi } from "@/test-support/sandbox";
import { CLIENT_ADDRESS_HEADER, recordedClientAddress } from "../../http/clientAddress";
import type { RateLimiter } from "../../ratelimit";
import { MemoryRateLimiter } from "../../ratelimit/memory";
import { type Services, setServices } from "../../services";
import { sandboxCredentials } from "../platforms/config";
import { SANDBOX_BUDGET } from "./guard";
import { SANDBOX_MAX_BODY_BYTES } from "./http";

let services: Services;
let api: TestApi;

// A frozen window: the budget test counts to the limit without a window ending halfway.
const frozen = Date.now();

beforeAll(async () => {
  services = await startTestServices({ limiter: new MemoryRateLimiter(() => frozen) });
  api = await startSandboxApi();
});

afterEach(() => setServices(services));

afterAll(async () => {
  await api.close();
  await services.close();
});

const TIKTOK_TOKEN = "/sandbox/tiktok/v2/oauth/token/";
const TIKTOK_REVOKE = "/sandbox/tiktok/v2/oauth/revoke/";
const IG_TOKEN = "/sandbox/instagram/api/oauth/access_token";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let addresses = 0;
/** A client address nobody else in this file uses. */
const newAddress = () => `198.51.100.${++addresses}`;

const from = (address: string, headers: Record<string, string> = {}) => ({ [CLIENT_ADDRESS_HEADER]: recordedClientAddress(address), ...headers });

const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(api.url + path, { method: "POST", ...init, headers: { ...(init.headers ?? {}) } }).then(read);

/** Answers every address as over budget, the window ending in 42 s. */
const exhausted: RateLimiter = {
  backend: "memory",
  limit: async (_id, budget) => ({ success: false, limit: budget.tokens, remaining: 0, resetMs: Date.now() + 42_000 }),
  charge: async (_id, budget) => ({ success: false, limit: budget.tokens, remaining: 0, resetMs: Date.now() + 42_000 }),
  peek: async (_id, budget) => ({ success: false, limit: budget.tokens, remaining: 0, resetMs: Date.now() + 42_000 }),
  close: async () => {},
};

/** A store that cannot be reached at all. */
const unreachable: RateLimiter = {
  backend: "redis",
  limit: async () => {
    throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
  },
  charge: async () => {
    throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
  },
  peek: async () => {
    throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
  },
  close: async () => {},
};

describe("sandbox rate limit per client address", () => {
  it(`${SANDBOX_BUDGET.text}: request ${SANDBOX_BUDGET.tokens + 1} from one address is TikTok's rate_limit_exceeded (429, Retry-After); other addresses go on`, async () => {
    const address = newAddress();
    for (let i = 0; i < SANDBOX_BUDGET.tokens; i++) {
      const reply = await send(TIKTOK_TOKEN, { headers: from(address) });
      expect(reply.body.error).toBe("invalid_request"); // no form body: refused, but served
    }
    // X-Forwarded-For is the client's to write: with no trusted proxies it cannot buy a new budget.
    const over = await send(TIKTOK_TOKEN, { headers: from(address, { "x-forwarded-for": "203.0.113.9" }) });
    expect(over.status).toBe(429);
    expect(Object.keys(over.body)).toEqual(["error", "error_description", "log_id"]);
    expect(over.body.error).toBe("rate_limit_exceeded");
    const retryAfter = Number(over.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(SANDBOX_BUDGET.windowMs / 1000);
    // The budget spans the sandbox's endpoints, not one of them.
    expect((await send(IG_TOKEN, { headers: from(address) })).status).toBe(429);

    expect((await send(TIKTOK_TOKEN, { headers: from(newAddress()) })).body.error).toBe("invalid_request");
  });

  it("refusals speak each endpoint's dialect", async () => {
    setServices({ ...services, limiter: exhausted });
    const headers = from(newAddress());

    const token = await send(TIKTOK_TOKEN, { headers });
    expect(token.status).toBe(429);
    expect(token.headers.get("retry-after")).toMatch(/^(4[0-2]|39)$/);
    expect(token.body).toMatchObject({ error: "rate_limit_exceeded", log_id: expect.stringMatching(/^\d{14}[0-9A-F]{20}$/) });
    expect((await send(TIKTOK_REVOKE, { headers })).body.error).toBe("rate_limit_exceeded");

    const userInfo = await fetch(`${api.url}/sandbox/tiktok/v2/user/info/?fields=open_id`, { headers }).then(read);
    expect(userInfo.status).toBe(429);
    expect(userInfo.body).toMatchObject({ data: {}, error: { code: "rate_limit_exceeded", log_id: expect.any(String) } });

    const igToken = await send(IG_TOKEN, { headers });
    expect(igToken.status).toBe(429);
    expect(Object.keys(igToken.body)).toEqual(["error_type", "code", "error_message"]);
    expect(igToken.body).toMatchObject({ error_type: "OAuthException", code: 429 });

    const graph = await fetch(`${api.url}/sandbox/instagram/graph/me?fields=user_id&access_token=x`, { headers }).then(read);
    expect(graph.status).toBe(429);
    expect(graph.body.error).toMatchObject({ type: "OAuthException", code: 4, fbtrace_id: expect.any(String) });
    expect(graph.headers.get("retry-after")).toBeTruthy();

    for (const platform of ["tiktok", "instagram"]) {
      const consent = await send(`/sandbox/${platform}/consent`, { headers: { ...headers, ...FORM }, body: "decision=authorize" });
      expect(consent.status).toBe(429);
      expect(consent.headers.get("content-type")).toMatch(/^text\/html/);
      expect(consent.text).toContain("Too many requests");
      expect(consent.headers.get("retry-after")).toBeTruthy();
    }

    // Avatars are computed, not looked up: no budget.
    expect((await fetch(`${api.url}/sandbox/avatar/sandbox_creator`, { headers })).status).toBe(200);
  });

  it("fails open, and says so in the log, when the limiter cannot be reached", async () => {
    setServices({ ...services, limiter: unreachable });
    capturedLogs.length = 0;
    const reply = await send(TIKTOK_TOKEN, { headers: from(newAddress()) });
    expect(reply.status).toBe(200);
    expect(reply.body.error).toBe("invalid_request");
    expect(capturedLogs.some((line) => String(line.msg).includes("sandbox rate limit store unavailable"))).toBe(true);
  });
});

describe("sandbox body cap", () => {
  const credentials = () => sandboxCredentials(services.config, "tiktok");
  /** A urlencoded TikTok token form padded to `bytes` bytes. */
  function tiktokForm(bytes: number): string {
    const { clientId, clientSecret } = credentials();
    const head = `client_key=${clientId}&client_secret=${clientSecret}&grant_type=authorization_code&code=x&redirect_uri=x&pad=`;
    return head + "a".repeat(bytes - head.length);
  }

  it(`a TikTok token request over ${SANDBOX_MAX_BODY_BYTES / 1024} KiB (by Content-Length) is invalid_request with HTTP 413; at the cap it is served`, async () => {
    const over = await send(TIKTOK_TOKEN, { headers: from(newAddress(), FORM), body: tiktokForm(SANDBOX_MAX_BODY_BYTES + 1) });
    expect(over.status).toBe(413);
    expect(Object.keys(over.body)).toEqual(["error", "error_description", "log_id"]);
    expect(over.body).toMatchObject({ error: "invalid_request", error_description: expect.stringMatching(/64 KiB/) });

    const at = await send(TIKTOK_TOKEN, { headers: from(newAddress(), FORM), body: tiktokForm(SANDBOX_MAX_BODY_BYTES) });
    expect(at.status).toBe(200);
    expect(at.body).toMatchObject({ error: "invalid_grant" }); // read and judged: the code is unknown
  });

  it("a chunked body (no Content-Length) is counted while streaming", async () => {
    const bytes = new TextEncoder().encode(tiktokForm(SANDBOX_MAX_BODY_BYTES * 2));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
        controller.close();
      },
    });
    const reply = await send(TIKTOK_REVOKE, { headers: from(newAddress(), FORM), body, duplex: "half" } as RequestInit & { headers: Record<string, string> });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toBe("invalid_request");
  });

  it("Instagram's token endpoint answers its flat OAuthException with 413, multipart included", async () => {
    const form = new FormData();
    form.append("client_id", "sandbox_instagram");
    form.append("pad", "a".repeat(SANDBOX_MAX_BODY_BYTES));
    const reply = await fetch(api.url + IG_TOKEN, { method: "POST", body: form, headers: from(newAddress()) }).then(read);
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ error_type: "OAuthException", code: 413, error_message: expect.stringMatching(/64 KiB/) });
  });

  it("the consent form answers the sandbox's own page with 413", async () => {
    const reply = await send("/sandbox/tiktok/consent", {
      headers: from(newAddress(), { ...FORM, origin: new URL(services.config.publicUrl).origin }),
      body: `decision=authorize&username=${"a".repeat(SANDBOX_MAX_BODY_BYTES)}`,
    });
    expect(reply.status).toBe(413);
    expect(reply.headers.get("content-type")).toMatch(/^text\/html/);
    expect(reply.text).toContain("too large");
  });
});
