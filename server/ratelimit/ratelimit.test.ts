/**
 * The rate limiter's conformance suite: every backend (memory, Redis, Upstash
 * REST through a shim) counts the same way, for the API's fail-open `limit`
 * and for the strict `charge`/`peek` that sign-in uses, and each store fault
 * is met the way its caller needs. Over 300 lines because it is one suite run
 * over three backends, with the servers it needs to fake faults (a refused
 * port, a hung TCP and a hung HTTP server) kept beside the tests that use them.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setLogSink } from "../log";
import { type Budget, parseBudget } from "./budget";
import { createRateLimiter, createRedisRateLimiter } from "./index";
import { MemoryRateLimiter } from "./memory";
import { startUpstashRestShim } from "@/test-support/upstashRestShim";
import { isRateLimitUnavailable, type RateLimiter, RateLimitUnavailableError } from "./types";
import { STRICT_TIMEOUT_MS } from "./upstash";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Unique per run so parallel runs against one Redis never share keys. */
const RUN = randomBytes(6).toString("hex");
const uniqueId = (label: string) => `test:${RUN}:${label}:${randomBytes(4).toString("hex")}`;
const STORE_FAULT = "rate limit store unavailable; requests pass unlimited";
const CONNECTION_FAULT = "redis connection error";

function budget(text: string): Budget {
  const parsed = parseBudget(text);
  if (!parsed) throw new Error(`bad budget ${text}`);
  return parsed;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const windowEnd = (now: number, windowMs: number) => (Math.floor(now / windowMs) + 1) * windowMs;

/**
 * Waits past the next window boundary if one is closer than `marginMs`, so a
 * test's calls all land in one window. (Waits only; never asserts timing.)
 */
async function awayFromWindowEdge(windowMs: number, marginMs: number) {
  const left = windowEnd(Date.now(), windowMs) - Date.now();
  if (left < marginMs) await sleep(left + 20);
}

/** Collects structured log lines until `restore()`. */
function captureLogs() {
  const lines: { level: string; msg: string; [key: string]: unknown }[] = [];
  const previous = setLogSink((line) => lines.push(JSON.parse(line)));
  return {
    count: (msg: string) => lines.filter((line) => line.msg === msg).length,
    restore: () => setLogSink(previous),
  };
}

/** Everything the suite started, torn down in the last afterAll so vitest exits. */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

function listen(server: NetServer | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer | HttpServer, sockets: Set<Socket> = new Set()): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

/** A TCP port that refuses connections: bound once, then released. */
async function refusedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** A server (TCP or HTTP) that accepts connections and never answers. */
async function hungServer(kind: "tcp" | "http"): Promise<number> {
  const sockets = new Set<Socket>();
  const server = kind === "tcp" ? createNetServer() : createHttpServer(() => {});
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  cleanups.push(() => closeServer(server, sockets));
  return port;
}

const UPSTASH_TOKEN = `shim-token-${RUN}`;

interface Backend {
  name: "memory" | "redis" | "upstash";
  create(): Promise<RateLimiter>;
}

const backends: Backend[] = [
  { name: "memory", create: async () => new MemoryRateLimiter() },
  { name: "redis", create: () => createRedisRateLimiter(REDIS_URL, `test:${RUN}:rl`) },
  {
    name: "upstash",
    async create() {
      const shim = await startUpstashRestShim({ redisUrl: REDIS_URL, token: UPSTASH_TOKEN });
      cleanups.push(() => shim.close());
      // Exactly what the app runs with UPSTASH_REDIS_REST_URL/TOKEN set.
      return createRateLimiter({ upstash: { url: shim.url, token: UPSTASH_TOKEN }, redisUrl: undefined });
    },
  },
];

describe.each(backends)("$name backend: fixed-window conformance", ({ name, create }) => {
  let limiter: RateLimiter;

  beforeAll(async () => {
    limiter = await create();
    cleanups.push(() => limiter.close());
  });

  it("reports its backend", () => {
    expect(limiter.backend).toBe(name);
  });

  it("allows `tokens` calls per window, then refuses, with one reset for the window", async () => {
    const b = budget("3/60s");
    const id = uniqueId("basic");
    await awayFromWindowEdge(b.windowMs, 2_000);
    const expectedReset = windowEnd(Date.now(), b.windowMs);

    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.limit(id, b));

    expect(decisions.map((d) => d.success)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    for (const decision of decisions) {
      expect(decision.limit).toBe(3);
      expect(decision.resetMs).toBe(expectedReset);
      expect(decision.failedOpen).toBeUndefined();
    }
  });

  it("keeps separate identifiers independent", async () => {
    const b = budget("2/60s");
    const a = uniqueId("a");
    const other = uniqueId("b");
    await awayFromWindowEdge(b.windowMs, 2_000);

    expect((await limiter.limit(a, b)).success).toBe(true);
    expect((await limiter.limit(a, b)).success).toBe(true);
    const refused = await limiter.limit(a, b);
    expect(refused).toMatchObject({ success: false, remaining: 0, limit: 2 });

    const first = await limiter.limit(other, b);
    expect(first).toMatchObject({ success: true, remaining: 1, limit: 2 });
    expect(first.failedOpen).toBeUndefined();
    expect((await limiter.limit(a, b)).success).toBe(false);
  });

  it("starts a new window fresh", { timeout: 10_000 }, async () => {
    const b = budget("1/1s");
    const id = uniqueId("window");
    await awayFromWindowEdge(b.windowMs, 400);

    const first = await limiter.limit(id, b);
    expect(first).toMatchObject({ success: true, remaining: 0, limit: 1 });
    expect(first.resetMs % 1_000).toBe(0);
    const second = await limiter.limit(id, b);
    expect(second).toMatchObject({ success: false, remaining: 0, limit: 1, resetMs: first.resetMs });

    // Wait for the window boundary (waiting only; nothing here asserts timing).
    await sleep(Math.max(0, first.resetMs - Date.now()) + 20);

    const third = await limiter.limit(id, b);
    expect(third).toMatchObject({ success: true, remaining: 0, limit: 1 });
    expect(third.failedOpen).toBeUndefined();
    expect(third.resetMs).toBeGreaterThanOrEqual(first.resetMs + 1_000);
    expect(third.resetMs % 1_000).toBe(0);
  });
});

describe.each(backends)("$name backend: strict charge and peek", ({ create }) => {
  let limiter: RateLimiter;

  beforeAll(async () => {
    limiter = await create();
    cleanups.push(() => limiter.close());
  });

  it("peek counts nothing and says whether one more call fits; charge counts any number, negative gives back", async () => {
    const b = budget("3/60s");
    const id = uniqueId("charge");
    await awayFromWindowEdge(b.windowMs, 2_000);
    const expectedReset = windowEnd(Date.now(), b.windowMs);

    expect(await limiter.peek(id, b)).toEqual({ success: true, limit: 3, remaining: 3, resetMs: expectedReset });
    expect(await limiter.peek(id, b)).toMatchObject({ remaining: 3 });
    expect(await limiter.charge(id, b, 2)).toEqual({ success: true, limit: 3, remaining: 1, resetMs: expectedReset });
    expect(await limiter.charge(id, b, 1)).toMatchObject({ success: true, remaining: 0 });
    expect(await limiter.peek(id, b)).toMatchObject({ success: false, remaining: 0 });
    expect(await limiter.charge(id, b, 1)).toMatchObject({ success: false, remaining: 0 });
    // Giving back what was counted: the refused call, then everything.
    expect(await limiter.charge(id, b, -1)).toMatchObject({ success: true, remaining: 0 });
    expect(await limiter.charge(id, b, -3)).toMatchObject({ success: true, remaining: 3 });
    expect(await limiter.peek(id, b)).toMatchObject({ success: true, remaining: 3 });
    // limit() and charge() count in the same window.
    await limiter.limit(id, b);
    expect(await limiter.peek(id, b)).toMatchObject({ remaining: 2 });
  });

  it("every refused charge is counted, so giving each back is exact (no cached block that counts nothing)", async () => {
    const b = budget("1/60s");
    const id = uniqueId("cache");
    await awayFromWindowEdge(b.windowMs, 2_000);
    expect((await limiter.charge(id, b, 1)).success).toBe(true);
    expect((await limiter.charge(id, b, 1)).success).toBe(false);
    expect((await limiter.charge(id, b, 1)).success).toBe(false);
    await limiter.charge(id, b, -1);
    await limiter.charge(id, b, -1);
    expect(await limiter.peek(id, b)).toMatchObject({ success: false, remaining: 0 });
  });
});

describe("isRateLimitUnavailable", () => {
  it("recognises the error from any copy of the module (Next bundles one per route), and nothing else", () => {
    expect(isRateLimitUnavailable(new RateLimitUnavailableError(new Error("down")))).toBe(true);
    const fromAnotherBundle = Object.assign(new Error("rate limit store unavailable"), { [Symbol.for("layers.RateLimitUnavailableError")]: true });
    expect(isRateLimitUnavailable(fromAnotherBundle)).toBe(true);
    expect(isRateLimitUnavailable(Object.assign(new Error("x"), { name: "RateLimitUnavailableError" }))).toBe(false);
    expect(isRateLimitUnavailable(null)).toBe(false);
  });
});

describe("memory backend with an injected clock", () => {
  it("counts per fixed window and resets at the window end", async () => {
    let now = 1_700_000_000_500; // 20.5 s into a 60 s window
    const limiter = new MemoryRateLimiter(() => now);
    const b = budget("2/60s");
    const end = windowEnd(now, b.windowMs);

    expect(await limiter.limit("k", b)).toEqual({ success: true, limit: 2, remaining: 1, resetMs: end });
    now = end - 1;
    expect(await limiter.limit("k", b)).toEqual({ success: true, limit: 2, remaining: 0, resetMs: end });
    expect(await limiter.limit("k", b)).toEqual({ success: false, limit: 2, remaining: 0, resetMs: end });

    now = end; // the first millisecond of the next window
    expect(await limiter.limit("k", b)).toEqual({ success: true, limit: 2, remaining: 1, resetMs: end + b.windowMs });
    await limiter.close();
  });

  it("forgets finished windows", async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    const b = budget("1/1s");
    for (let i = 0; i < 2048; i++) {
      now = i * 1_000;
      expect((await limiter.limit(`k${i}`, b)).success).toBe(true);
    }
    // Sweeps happen every 1024 calls; at most the windows since the last sweep remain.
    const size = (limiter as unknown as { windows: Map<string, unknown> }).windows.size;
    expect(size).toBeLessThanOrEqual(1024);
  });
});

describe("upstash REST shim", () => {
  let url: string;

  beforeAll(async () => {
    const shim = await startUpstashRestShim({ redisUrl: REDIS_URL, token: UPSTASH_TOKEN });
    cleanups.push(() => shim.close());
    url = shim.url;
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${UPSTASH_TOKEN}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("refuses a wrong or missing token with 401", async () => {
    const wrong = await post("/", ["ping"], { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    const missing = await fetch(`${url}/`, { method: "POST", body: JSON.stringify(["ping"]) });
    expect(missing.status).toBe(401);
  });

  it("base64-encodes strings (also inside arrays) on request, never numbers", async () => {
    const key = uniqueId("shim");
    const script = "return {ARGV[1], tonumber(ARGV[2]), {ARGV[1]}}";
    const plain = await post("/", ["eval", script, 0, "héllo", 7]);
    expect(await plain.json()).toEqual({ result: ["héllo", 7, ["héllo"]] });
    const encoded = await post("/", ["eval", script, 0, "héllo", 7], { "Upstash-Encoding": "base64" });
    const b64 = Buffer.from("héllo").toString("base64");
    expect(await encoded.json()).toEqual({ result: [b64, 7, [b64]] });

    const set = await post("/", ["set", key, "v", "px", 10_000], { "Upstash-Encoding": "base64" });
    expect(await set.json()).toEqual({ result: Buffer.from("OK").toString("base64") });
  });

  it("answers errors with status 400, and per command in a pipeline", async () => {
    const bad = await post("/", ["nosuchcommand"]);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/unknown command/i);

    const key = uniqueId("p");
    const pipeline = await post("/pipeline", [["echo", "x"], ["nosuchcommand"], ["incrby", key, 2], ["pexpire", key, 10_000]]);
    expect(pipeline.status).toBe(200);
    const results = (await pipeline.json()) as { result?: unknown; error?: string }[];
    expect(results[0]).toEqual({ result: "x" });
    expect(results[1]?.error).toMatch(/unknown command/i);
    expect(results[2]).toEqual({ result: 2 });
    expect(results[3]).toEqual({ result: 1 });
  });

  it("strips the #!lua shebang and maps EVALSHA of the original script after the first EVAL", async () => {
    // Unique text so the hash is unknown to this shim and to Redis.
    const script = `#!lua flags=allow-key-locking\nreturn ARGV[1] .. "${RUN}-${randomBytes(4).toString("hex")}"`;
    const hash = createHash("sha1").update(script).digest("hex");

    const before = await post("/", ["evalsha", hash, 0, "a"]);
    expect(before.status).toBe(400);
    expect((await before.json()).error).toMatch(/NOSCRIPT/);

    const evaluated = await post("/", ["eval", script, 0, "a"]);
    expect(evaluated.status).toBe(200);
    expect((await evaluated.json()).result).toMatch(/^a/);

    const after = await post("/pipeline", [["evalsha", hash, 0, "b"]]);
    const [entry] = (await after.json()) as { result?: string; error?: string }[];
    expect(entry?.error).toBeUndefined();
    expect(entry?.result).toMatch(/^b/);
  });
});

describe("fail-open", () => {
  const b = budget("3/60s");

  it("redis at a refused port: every call passes, the fault is logged once", { timeout: 10_000 }, async () => {
    const logs = captureLogs();
    try {
      const port = await refusedPort();
      const limiter = await createRedisRateLimiter(`redis://127.0.0.1:${port}`, `test:${RUN}:refused`);
      cleanups.push(() => limiter.close());
      const id = uniqueId("refused");
      for (let i = 0; i < 20; i++) {
        const decision = await limiter.limit(id, b);
        expect(decision).toMatchObject({ success: true, failedOpen: true, limit: 3, remaining: 3 });
        expect(decision.resetMs % b.windowMs).toBe(0);
      }
      expect(logs.count(STORE_FAULT)).toBe(1);
      expect(logs.count(CONNECTION_FAULT)).toBeLessThanOrEqual(1);
      await limiter.close();
    } finally {
      logs.restore();
    }
  });

  it("strict calls fail closed: a refused or hung store throws RateLimitUnavailableError within about a second", { timeout: 15_000 }, async () => {
    const logs = captureLogs();
    try {
      const stores = [
        await createRedisRateLimiter(`redis://127.0.0.1:${await refusedPort()}`, `test:${RUN}:strict-refused`),
        await createRedisRateLimiter(`redis://127.0.0.1:${await hungServer("tcp")}`, `test:${RUN}:strict-hung`),
        await createRateLimiter({ upstash: { url: `http://127.0.0.1:${await hungServer("http")}`, token: UPSTASH_TOKEN }, redisUrl: undefined }),
      ];
      for (const limiter of stores) {
        cleanups.push(() => limiter.close());
        for (const call of [() => limiter.charge(uniqueId("strict"), b, 1), () => limiter.peek(uniqueId("strict"), b)]) {
          const started = Date.now();
          await expect(call()).rejects.toBeInstanceOf(RateLimitUnavailableError);
          expect(Date.now() - started).toBeLessThan(STRICT_TIMEOUT_MS + 1_000);
        }
      }
    } finally {
      logs.restore();
    }
  });

  it("a hung redis: calls pass with failedOpen", { timeout: 10_000 }, async () => {
    const logs = captureLogs();
    try {
      const port = await hungServer("tcp");
      const limiter = await createRedisRateLimiter(`redis://127.0.0.1:${port}`, `test:${RUN}:hung`);
      cleanups.push(() => limiter.close());
      const id = uniqueId("hung");
      for (let i = 0; i < 3; i++) {
        expect(await limiter.limit(id, b)).toMatchObject({ success: true, failedOpen: true, limit: 3 });
      }
      expect(logs.count(STORE_FAULT)).toBe(1);
      await limiter.close();
    } finally {
      logs.restore();
    }
  });

  it("upstash pointing at a hung HTTP server: calls pass with failedOpen", { timeout: 10_000 }, async () => {
    const logs = captureLogs();
    try {
      const port = await hungServer("http");
      const limiter = await createRateLimiter({
        upstash: { url: `http://127.0.0.1:${port}`, token: UPSTASH_TOKEN },
        redisUrl: undefined,
      });
      cleanups.push(() => limiter.close());
      expect(limiter.backend).toBe("upstash");
      const id = uniqueId("hung-upstash");
      for (let i = 0; i < 3; i++) {
        expect(await limiter.limit(id, b)).toMatchObject({ success: true, failedOpen: true, limit: 3 });
      }
      expect(logs.count(STORE_FAULT)).toBe(1);
    } finally {
      logs.restore();
    }
  });

  it("upstash with a wrong token fails open rather than failing the request", { timeout: 10_000 }, async () => {
    const logs = captureLogs();
    try {
      const shim = await startUpstashRestShim({ redisUrl: REDIS_URL, token: UPSTASH_TOKEN });
      cleanups.push(() => shim.close());
      const limiter = await createRateLimiter({ upstash: { url: shim.url, token: "wrong" }, redisUrl: undefined });
      const decision = await limiter.limit(uniqueId("wrong-token"), b);
      expect(decision).toMatchObject({ success: true, failedOpen: true });
      expect(logs.count(STORE_FAULT)).toBe(1);
    } finally {
      logs.restore();
    }
  });
});
