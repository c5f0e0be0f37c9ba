/**
 * The fixed-rate run: BENCH_RATE requests a second for BENCH_RATE_DURATION
 * seconds per endpoint, the load a real deployment sees, rather than as many
 * as the server can take. Latency here is service time plus whatever
 * queueing that rate causes.
 *
 * The requests are paced evenly and sent open-loop (each at its time,
 * whether or not earlier ones have been answered) from a node:http agent,
 * not with autocannon's `overallRate`: autocannon gives each connection its
 * share of the rate and lets it send that share back to back at the start
 * of every second, so 200 req/s over 50 connections arrives as a burst of 50
 * each second, and p99 would measure the burst.
 */
import { Agent, request } from "node:http";
import { relative } from "node:path";
import { type Proc, sleep } from "../e2e/support/processes";
import { fmt, fmtMb, log, type Percentiles, percentiles, round } from "./format";
import { type Endpoint, type EndpointName, stoppable, type TargetName } from "./load";
import { sampleTree, type TreeUsage } from "./measure";
import { RATE, RATE_DURATION_S, ROOT } from "./settings";

export interface FixedRateResult {
  endpoint: EndpointName;
  target: TargetName;
  rate: number;
  durationS: number;
  /** Requests sent per second over the sending time (what the pacing achieved). */
  sentPerSec: number;
  /** Answers per second: 2xx answers / sending time. */
  okPerSec: number;
  /** Of 2xx answers, from the moment each request was sent. */
  latencyMs: Percentiles;
  /** How late the latest request was sent against its schedule (a busy bench process shows here). */
  maxSendLagMs: number;
  sent: number;
  ok: number;
  failed: number;
  statusCodes: Record<string, number>;
  errors: Record<string, number>;
  /** 2xx answers without X-RateLimit-* headers: the app's limiter failed open (Redis slow), saving its round trip. */
  failedOpen: number;
  /** Server tree CPU over the run, as % of one core, and per answered request. */
  serverCpuPct: number;
  serverCpuMsPerReq: number;
  peakRssMb: number | null;
  rssByProcess: Record<string, number>;
  /** POST only: oauth_states rows added; must equal `ok`. */
  rowsInserted?: number;
}

const TIMEOUT_MS = 10_000;

/** Sends `total` requests, request i at start + i/rate; resolves when all are answered or failed. */
async function paced(baseUrl: string, endpoint: Endpoint, token: string, rate: number, total: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (endpoint.body) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(endpoint.body));
  }
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let sent = 0;
  let settled = 0;
  let maxLag = 0;
  let failedOpen = 0;
  let stopped = false;
  const interval = 1000 / rate;
  const start = performance.now();
  let allSettled!: () => void;
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  const settle = () => {
    if (++settled === total) allSettled();
  };

  const send = () => {
    const sentAt = performance.now();
    let done = false;
    const finish = (outcome: { status: number } | { error: string }) => {
      if (done) return;
      done = true;
      if ("status" in outcome) {
        statusCodes[outcome.status] = (statusCodes[outcome.status] ?? 0) + 1;
        if (outcome.status >= 200 && outcome.status < 300) latencies.push(performance.now() - sentAt);
      } else errors[outcome.error] = (errors[outcome.error] ?? 0) + 1;
      settle();
    };
    const req = request({ agent, host: url.hostname, port: url.port, method: endpoint.method, path: endpoint.path, headers, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      if (res.statusCode! < 300 && res.headers["x-ratelimit-limit"] === undefined) failedOpen++;
      res.on("end", () => finish({ status: res.statusCode! }));
      res.on("close", () => finish({ error: "aborted" })); // after "end", a no-op
    });
    req.on("timeout", () => {
      req.destroy();
      finish({ error: "timeout" });
    });
    req.on("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? "error" }));
    req.end(endpoint.body);
  };

  // Wakes at the next request's time and sends every request that is due.
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      maxLag = Math.max(maxLag, now - (start + sent * interval));
      sent++;
      send();
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
  };
  await stoppable(
    () => {
      stopped = true;
      agent.destroy();
      allSettled();
    },
    async () => {
      tick();
      await done;
    },
  );
  const sendingS = (performance.now() - start) / 1000;
  agent.destroy();
  return { latencies, statusCodes, errors, sent, sendingS: Math.max(sendingS, total / rate), maxLag, failedOpen };
}

export async function runFixedRate(target: TargetName, server: Proc, baseUrl: string, endpoint: Endpoint, token: string, countStates: () => Promise<number>): Promise<FixedRateResult> {
  log(`${target} ${endpoint.method} ${endpoint.name}: ${RATE} req/s for ${RATE_DURATION_S} s...`);
  const total = Math.round(RATE * RATE_DURATION_S);
  const statesBefore = endpoint.method === "POST" ? await countStates() : 0;
  const tree = sampleTree(server.pid);
  let run: Awaited<ReturnType<typeof paced>>;
  let usage: TreeUsage;
  try {
    run = await paced(baseUrl, endpoint, token, RATE, total);
  } finally {
    usage = tree.stop();
  }
  const ok = run.latencies.length;
  const result: FixedRateResult = {
    endpoint: endpoint.name,
    target,
    rate: RATE,
    durationS: RATE_DURATION_S,
    sentPerSec: round(run.sent / run.sendingS, 1),
    okPerSec: round(ok / run.sendingS, 1),
    latencyMs: percentiles(run.latencies),
    maxSendLagMs: round(run.maxLag, 1),
    sent: run.sent,
    ok,
    failed: total - ok,
    statusCodes: run.statusCodes,
    errors: run.errors,
    failedOpen: run.failedOpen,
    serverCpuPct: round((100 * usage.cpuMs) / usage.elapsedMs, 1),
    serverCpuMsPerReq: ok ? round(usage.cpuMs / ok, 3) : 0,
    peakRssMb: usage.peakMb,
    rssByProcess: usage.peakByProcess,
  };
  if (endpoint.method === "POST") {
    await sleep(100);
    result.rowsInserted = (await countStates()) - statesBefore;
  }
  log(
    `  sent ${fmt(result.sentPerSec, 0)} req/s (latest ${fmt(result.maxSendLagMs, 1)} ms behind schedule), p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `server CPU ${fmt(result.serverCpuPct, 0)} % of a core (${fmt(result.serverCpuMsPerReq, 2)} ms/req), peak RSS ${fmtMb(result.peakRssMb)}` +
      (result.rowsInserted !== undefined ? `, ${ok} x 200 / ${result.rowsInserted} rows inserted` : "") +
      (result.failed ? ` -- ${result.failed} failed (statuses ${JSON.stringify(result.statusCodes)}, errors ${JSON.stringify(result.errors)})` : ""),
  );
  if (result.failedOpen) log(`  WARNING: ${result.failedOpen} answers passed the rate limiter uncounted (it failed open: Redis slower than 300 ms)`);
  if (result.failed && server.stderrFile) log(`  see ${relative(ROOT, server.stderrFile)}`);
  if (result.rowsInserted !== undefined && result.rowsInserted !== ok) log(`  WARNING: ${ok} responses were 200 but ${result.rowsInserted} oauth_states rows were inserted`);
  return result;
}
