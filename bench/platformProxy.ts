/**
 * The network between Layers and "the platform" during the callback run
 * (callback.ts): an HTTP forwarder in the bench process, at the instances'
 * LAYERS_PUBLIC_URL, that sends every request on to the instance serving the
 * sandbox. It exists for two reasons:
 *
 * - The platform's time: it times each forwarded request (arrival to the
 *   last byte of the answer), so a callback's wait on the sandbox's token and
 *   profile endpoints can be told apart from the callback's own time.
 * - The sandbox's per-address budget (300/60s, server/oauth/sandbox/guard.ts)
 *   stands in for the platform's throttle and would allow only ~100
 *   callbacks a minute from one address. Each forwarded request gets an
 *   address of its own in X-Forwarded-For (198.18.0.0/15, the benchmarking
 *   range), which the sandbox instance reads with LAYERS_TRUSTED_PROXY_HOPS=1.
 *   The API's own budgets are per key, so this changes nothing measured.
 */
import { Agent, createServer, request } from "node:http";

export interface PlatformProxy {
  url: string;
  /** Where requests go: the sandbox-serving instance (null until it runs: 502). */
  setUpstream(url: string | null): void;
  /** Requests forwarded so far and the milliseconds they took in all. */
  totals(): { requests: number; ms: number; failed: number };
  close(): Promise<void>;
}

export async function startPlatformProxy(port: number): Promise<PlatformProxy> {
  let upstream: URL | null = null;
  let requests = 0;
  let ms = 0;
  let failed = 0;
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const nextAddress = () => {
    const n = next++ % 131_072;
    return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  };

  const server = createServer((req, res) => {
    const startedAt = performance.now();
    if (!upstream) {
      res.writeHead(502).end("no upstream");
      return;
    }
    const headers = { ...req.headers, "x-forwarded-for": nextAddress() };
    const forward = request(
      { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      failed++;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => {
      requests++;
      ms += performance.now() - startedAt;
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstream: (url) => (upstream = url ? new URL(url) : null),
    totals: () => ({ requests, ms, failed }),
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
