/** The two measured endpoints: a smoke request each, then autocannon load with the server's tree sampled meanwhile. */
import { relative } from "node:path";
import autocannon, { type AutocannonInstance, type AutocannonOptions, type AutocannonResult } from "autocannon";
import { type Proc, sleep } from "../e2e/support/processes";
import { fmt, fmtMb, log, round } from "./format";
import { sampleTree, type TreeUsage, waitUntilQuiet } from "./measure";
import { CONNECTIONS, DURATION_S, HUGE_BUDGET, RETURN_URL, ROOT, ROUNDS, WARMUP_S } from "./settings";

export type EndpointName = "oauth-url" | "oauth-status";
export type TargetName = "app" | "baseline";

export interface Endpoint {
  name: EndpointName;
  method: "GET" | "POST";
  path: string;
  body?: string;
}

export function endpointsOf(projectId: string, state: string): Endpoint[] {
  return [
    { name: "oauth-url", method: "POST", path: `/v1/projects/${projectId}/social/oauth-url`, body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }) },
    { name: "oauth-status", method: "GET", path: `/v1/social/oauth-status/${state}` },
  ];
}

export interface PhaseResult {
  endpoint: EndpointName;
  target: TargetName;
  method: "GET" | "POST";
  path: string;
  /** autocannon's mean of per-second samples (all responses). */
  reqPerSec: number;
  /** 2xx responses per second over the measured duration. */
  okPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  peakRssMb: number | null;
  /** MB per process of the tree at the peak. */
  rssByProcess: Record<string, number>;
  rssProcesses: number;
  /** CPU time (user + system) of the server's process tree per completed request: less noisy than req/s on a shared machine. */
  serverCpuMsPerReq: number;
  /** The same by thread of the server process ("main" is JavaScript's; V8's GC helpers and others apart). */
  cpuMsPerReqByThread: Record<string, number>;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationS: number;
  /** POST only: oauth_states rows added during the measured run; should match `ok` give or take in-flight requests. */
  rowsInserted?: number;
  /** req/s of each round (interleaved runs): the figures above are the rounds' medians. */
  roundsReqPerSec?: number[];
}

/** Set on SIGINT/SIGTERM: no new load (or server) starts, the running loads stop. */
let interrupted = false;
const running = new Set<{ stop(): void }>();

export function interruptLoad() {
  interrupted = true;
  for (const load of running) load.stop();
}

export const isInterrupted = () => interrupted;

/** Calls `stop` on SIGINT/SIGTERM while `work` runs (for loads other than autocannon). */
export async function stoppable<T>(stop: () => void, work: () => Promise<T>): Promise<T> {
  if (interrupted) throw new Error("interrupted");
  const handle = { stop };
  running.add(handle);
  try {
    const result = await work();
    if (interrupted) throw new Error("interrupted"); // what it measured was cut short
    return result;
  } finally {
    running.delete(handle);
  }
}

/** autocannon, stopped by an interrupt. */
export async function autocannonRun(options: AutocannonOptions): Promise<AutocannonResult> {
  if (interrupted) throw new Error("interrupted");
  const instance: AutocannonInstance = autocannon(options);
  running.add(instance);
  try {
    const result = await instance;
    if (interrupted) throw new Error("interrupted");
    return result;
  } finally {
    running.delete(instance);
  }
}

/** autocannon's options for one endpoint. */
export function loadOptions(baseUrl: string, endpoint: Endpoint, token: string, connections: number): AutocannonOptions {
  return {
    url: `${baseUrl}${endpoint.path}`,
    method: endpoint.method,
    headers: { authorization: `Bearer ${token}`, ...(endpoint.body ? { "content-type": "application/json" } : {}) },
    ...(endpoint.body ? { body: endpoint.body } : {}),
    connections,
    timeout: 10,
  };
}

/** A server under full load: the app or the baseline. */
export interface LoadTarget {
  target: TargetName;
  proc: Proc;
  url: string;
}

/**
 * Full load on one endpoint, the servers taking turns: ROUNDS rounds of
 * DURATION_S / ROUNDS seconds each, in the order A B, B A, A B, ... and the
 * server not being measured stopped (SIGSTOP), so it takes no CPU from the
 * one that is. On this shared 2-core machine the same server's req/s moved
 * by up to 30 % between runs minutes apart; taking turns within the run
 * puts both under the same conditions, and the medians of the rounds damp
 * what is left. Returns one result per server.
 */
export async function runInterleaved(targets: LoadTarget[], endpoint: Endpoint, token: string, countStates: () => Promise<number>): Promise<PhaseResult[]> {
  const rounds = new Map<TargetName, PhaseResult[]>(targets.map((t) => [t.target, []]));
  const seconds = Math.max(1, Math.round((DURATION_S / ROUNDS) * 10) / 10);
  for (const t of targets) pauseServer(t.proc);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      resumeServer(t.proc);
      try {
        // The full warm-up before a server's first round; a short one after each pause.
        const warmup = rounds.get(t.target)!.length === 0 ? WARMUP_S : Math.min(WARMUP_S, 1);
        rounds.get(t.target)!.push(await runLoad(t.target, t.proc, t.url, endpoint, token, countStates, { seconds, warmup, label: `round ${round + 1}/${ROUNDS}` }));
        // Requests autocannon cut off are still in the server: stopped now, their
        // timers (the rate limiter's 300 ms) would expire during the pause and
        // fire on resume, failing the limiter open for the next round.
        await waitUntilQuiet(t.proc.pid, 3000);
      } finally {
        pauseServer(t.proc);
      }
    }
  }
  for (const t of targets) resumeServer(t.proc);
  return targets.map((t) => medianOfRounds(rounds.get(t.target)!));
}

/** Stops a server's process group (SIGSTOP): it takes no CPU until resumed. */
export const pauseServer = (proc: Proc) => process.kill(-proc.pid, "SIGSTOP");
export const resumeServer = (proc: Proc) => {
  try {
    process.kill(-proc.pid, "SIGCONT");
  } catch {
    // already gone
  }
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One result from a server's rounds: medians of the rates, latencies and CPU, the highest RSS, the sums of the counts. */
function medianOfRounds(rounds: PhaseResult[]): PhaseResult {
  const sum = (pick: (r: PhaseResult) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const peak = rounds.reduce((best, r) => ((r.peakRssMb ?? 0) > (best.peakRssMb ?? 0) ? r : best));
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const latency = (key: keyof PhaseResult["latencyMs"]) => median(rounds.map((r) => r.latencyMs[key]));
  return {
    ...rounds[0]!,
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    okPerSec: median(rounds.map((r) => r.okPerSec)),
    latencyMs: { p50: latency("p50"), p90: latency("p90"), p99: latency("p99"), max: Math.max(...rounds.map((r) => r.latencyMs.max)), mean: latency("mean") },
    peakRssMb: peak.peakRssMb,
    rssByProcess: peak.rssByProcess,
    rssProcesses: peak.rssProcesses,
    serverCpuMsPerReq: median(rounds.map((r) => r.serverCpuMsPerReq)),
    cpuMsPerReqByThread: Object.fromEntries(Object.keys(rounds[0]!.cpuMsPerReqByThread).map((kind) => [kind, median(rounds.map((r) => r.cpuMsPerReqByThread[kind] ?? 0))])),
    total: sum((r) => r.total),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    durationS: sum((r) => r.durationS),
    ...(rounds[0]!.rowsInserted !== undefined && { rowsInserted: sum((r) => r.rowsInserted ?? 0) }),
    roundsReqPerSec: rounds.map((r) => round(r.reqPerSec, 0)),
  };
}

export async function runLoad(
  target: TargetName,
  server: Proc,
  baseUrl: string,
  endpoint: Endpoint,
  token: string,
  countStates: () => Promise<number>,
  { seconds = DURATION_S, warmup = WARMUP_S, label = "" }: { seconds?: number; warmup?: number; label?: string } = {},
): Promise<PhaseResult> {
  const options = loadOptions(baseUrl, endpoint, token, CONNECTIONS);
  log(`${target} ${endpoint.method} ${endpoint.name}${label ? ` (${label})` : ""}: ${warmup ? `${warmup} s warm-up, then ` : ""}${seconds} s at ${CONNECTIONS} connections...`);
  if (warmup > 0) {
    await autocannonRun({ ...options, duration: warmup });
    await sleep(200); // requests the warm-up cut off still finish on the server
  }
  const statesBefore = endpoint.method === "POST" ? await countStates() : 0;
  const tree = sampleTree(server.pid);
  let result: AutocannonResult;
  let usage: TreeUsage;
  try {
    result = await autocannonRun({ ...options, duration: seconds });
  } finally {
    usage = tree.stop();
  }
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const phase: PhaseResult = {
    endpoint: endpoint.name,
    target,
    method: endpoint.method,
    path: endpoint.path,
    reqPerSec: result.requests.average,
    okPerSec: result["2xx"] / (result.duration || seconds),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    peakRssMb: usage.peakMb,
    rssByProcess: usage.peakByProcess,
    rssProcesses: usage.processes,
    serverCpuMsPerReq: result.requests.total ? round(usage.cpuMs / result.requests.total, 3) : 0,
    cpuMsPerReqByThread: Object.fromEntries(Object.entries(usage.cpuMsByThread).map(([kind, ms]) => [kind, result.requests.total ? round(ms / result.requests.total, 3) : 0])),
    total: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    durationS: result.duration,
  };
  if (endpoint.method === "POST") {
    await sleep(200); // let requests cut off by the end of the run finish their INSERT
    phase.rowsInserted = (await countStates()) - statesBefore;
  }
  const failed = phase.non2xx + phase.errors + phase.timeouts;
  log(
    `  ${fmt(phase.reqPerSec, 0)} req/s, p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms, peak RSS ${fmtMb(phase.peakRssMb)}, ` +
      `server CPU ${fmt(phase.serverCpuMsPerReq, 2)} ms/req (${Object.entries(phase.cpuMsPerReqByThread).filter(([, ms]) => ms > 0).map(([kind, ms]) => `${kind} ${fmt(ms, 3)}`).join(", ")})` +
      (phase.rowsInserted !== undefined ? `, ${phase.ok} x 200 / ${phase.rowsInserted} rows inserted` : "") +
      (failed ? ` -- ${failed} failed (non-2xx ${phase.non2xx}, errors ${phase.errors}, timeouts ${phase.timeouts}; statuses ${JSON.stringify(statusCodes)})` : ""),
  );
  if (failed && server.stderrFile) log(`  see ${relative(ROOT, server.stderrFile)}`);
  // Requests cut off at either end of the run may insert without a counted 200: at most one per connection per end.
  if (phase.rowsInserted !== undefined && Math.abs(phase.rowsInserted - phase.ok) > 2 * CONNECTIONS) {
    log(`  WARNING: ${phase.ok} responses were 200 but ${phase.rowsInserted} oauth_states rows were inserted`);
  }
  return phase;
}

/** The fields of each endpoint's answer, to check that the baseline answers what the app answers. */
export type AnswerShapes = Record<EndpointName, string[]>;

/** One real request each, so a misconfigured server is a clear error and not a table of 401s. */
export async function smokeTest(target: TargetName, baseUrl: string, projectId: string, token: string, state?: string): Promise<{ state: string; shapes: AnswerShapes }> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const post = await fetch(`${baseUrl}/v1/projects/${projectId}/social/oauth-url`, {
    method: "POST",
    headers,
    body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }),
  });
  const created = (await post.json().catch(() => null)) as { state?: string } | null;
  if (post.status !== 200 || !created?.state?.startsWith("st_")) {
    throw new Error(`${target}: POST oauth-url answered ${post.status} ${JSON.stringify(created)}`);
  }
  // The key's own budget applies and Redis counted the call: a limiter that
  // failed open (Redis unreachable) answers remaining == limit and would
  // make the app look faster than it is.
  const limit = post.headers.get("x-ratelimit-limit");
  const remaining = Number(post.headers.get("x-ratelimit-remaining"));
  if (limit !== HUGE_BUDGET.split("/")[0] || !(remaining < Number(limit))) {
    throw new Error(`${target}: the rate limiter did not count on Redis (X-RateLimit-Limit ${limit}, X-RateLimit-Remaining ${remaining})`);
  }
  const statusState = state ?? created.state;
  const get = await fetch(`${baseUrl}/v1/social/oauth-status/${statusState}`, { headers });
  const status = (await get.json().catch(() => null)) as { status?: string } | null;
  if (get.status !== 200 || status?.status !== "pending") {
    throw new Error(`${target}: GET oauth-status answered ${get.status} ${JSON.stringify(status)}`);
  }
  return { state: created.state, shapes: { "oauth-url": Object.keys(created).sort(), "oauth-status": Object.keys(status).sort() } };
}

/** Warns when the baseline's answers carry other fields than the app's: it would then not be doing the same work. */
export function compareShapes(app: AnswerShapes, baseline: AnswerShapes) {
  for (const endpoint of Object.keys(app) as EndpointName[]) {
    const [a, b] = [app[endpoint].join(","), baseline[endpoint].join(",")];
    if (a !== b) log(`WARNING: ${endpoint} answers differ: app {${a}}, baseline {${b}}; bench/baseline.ts should build the same answer`);
  }
}
