/**
 * Scale-out: two app instances on the same PostgreSQL and Redis.
 *
 * - Throughput: each endpoint loaded on both at once, the connections split
 *   between them, next to the single instance's figure. On this 2-core
 *   machine, shared with the load generator, two instances cannot add CPU;
 *   the figure shows that they serve together, not a scaling factor.
 * - The rate budget is global: a key with a small budget (SMALL_BUDGET, in
 *   the seed) sends 3x its budget, alternating between the instances; the
 *   200s across both must add up to the budget exactly, the rest 429.
 */
import type { AutocannonResult } from "autocannon";
import { type Proc, sleep } from "../e2e/support/processes";
import { fmt, fmtMb, log, round } from "./format";
import { autocannonRun, type Endpoint, type EndpointName, loadOptions, type PhaseResult } from "./load";
import { sampleTree, type TreeUsage } from "./measure";
import { CONNECTIONS, DURATION_S, RETURN_URL, SMALL_BUDGET, WARMUP_S } from "./settings";

export interface Instance {
  name: string;
  proc: Proc;
  url: string;
}

export interface ScaleOutShare {
  instance: string;
  connections: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  failed: number;
  statusCodes: Record<string, number>;
  peakRssMb: number | null;
  rssByProcess: Record<string, number>;
  serverCpuMsPerReq: number;
}

export interface ScaleOutResult {
  endpoint: EndpointName;
  shares: ScaleOutShare[];
  totalReqPerSec: number;
  /** The single instance's figure from the main run, and total / single. */
  singleReqPerSec: number | null;
  ratio: number | null;
}

export interface GlobalBudgetResult {
  budget: string;
  sent: number;
  perInstance: Array<{ instance: string; sent: number; ok: number; failedOpen: number; limited: number; other: Record<string, number> }>;
  totalOk: number;
  /**
   * 200s the limiter let through uncounted: Redis did not answer within the
   * app's 300 ms, or its breaker was open after such a miss (no
   * X-RateLimit-* headers on those answers). The rest were counted in Redis.
   */
  failedOpen: number;
  totalLimited: number;
  /** oauth_states rows the small key created: one per 200. */
  rowsInserted: number;
  /** Whether all requests fell in one window of the budget (they are timed to). */
  oneWindow: boolean;
  met: boolean;
}

export async function runScaleOut(instances: Instance[], endpoints: Endpoint[], token: string, single: PhaseResult[]): Promise<ScaleOutResult[]> {
  const connections = Math.max(1, Math.ceil(CONNECTIONS / instances.length));
  const results: ScaleOutResult[] = [];
  for (const endpoint of endpoints) {
    log(`scale-out ${endpoint.method} ${endpoint.name}: ${instances.length} instances at once, ${connections} connections each, ${WARMUP_S ? `${WARMUP_S} s warm-up, then ` : ""}${DURATION_S} s...`);
    if (WARMUP_S > 0) {
      await Promise.all(instances.map((i) => autocannonRun({ ...loadOptions(i.url, endpoint, token, connections), duration: WARMUP_S })));
      await sleep(200);
    }
    const trees = instances.map((i) => sampleTree(i.proc.pid));
    let runs: AutocannonResult[];
    let usages: TreeUsage[];
    try {
      runs = await Promise.all(instances.map((i) => autocannonRun({ ...loadOptions(i.url, endpoint, token, connections), duration: DURATION_S })));
    } finally {
      usages = trees.map((t) => t.stop());
    }
    const shares = instances.map((instance, n): ScaleOutShare => {
      const run = runs[n]!;
      return {
        instance: instance.name,
        connections,
        reqPerSec: run.requests.average,
        p50: run.latency.p50,
        p99: run.latency.p99,
        failed: run.non2xx + run.errors + run.timeouts,
        statusCodes: Object.fromEntries(Object.entries(run.statusCodeStats).map(([code, { count }]) => [code, count])),
        peakRssMb: usages[n]!.peakMb,
        rssByProcess: usages[n]!.peakByProcess,
        serverCpuMsPerReq: run.requests.total ? round(usages[n]!.cpuMs / run.requests.total, 3) : 0,
      };
    });
    const totalReqPerSec = shares.reduce((sum, s) => sum + s.reqPerSec, 0);
    const singleRun = single.find((r) => r.target === "app" && r.endpoint === endpoint.name);
    const result: ScaleOutResult = {
      endpoint: endpoint.name,
      shares,
      totalReqPerSec,
      singleReqPerSec: singleRun?.reqPerSec ?? null,
      ratio: singleRun?.reqPerSec ? round(totalReqPerSec / singleRun.reqPerSec, 3) : null,
    };
    log(
      `  total ${fmt(totalReqPerSec, 0)} req/s (${shares.map((s) => `${s.instance} ${fmt(s.reqPerSec, 0)}, p99 ${s.p99} ms, RSS ${fmtMb(s.peakRssMb)}`).join("; ")})` +
        (result.ratio !== null ? `, ${fmt(result.ratio, 2)}x the single instance` : "") +
        (shares.some((s) => s.failed) ? ` -- failed: ${shares.map((s) => `${s.instance} ${s.failed} ${JSON.stringify(s.statusCodes)}`).join(", ")}` : ""),
    );
    results.push(result);
  }
  return results;
}

/**
 * Sends 3x the small key's budget of POST oauth-url, alternating between the
 * instances, 10 in flight per instance, all inside one budget window.
 */
export async function checkGlobalBudget(instances: Instance[], projectId: string, smallToken: string, countKeyStates: () => Promise<number>): Promise<GlobalBudgetResult> {
  const { windowMs, tokens } = SMALL_BUDGET;
  // The windows are fixed and aligned to the epoch: start early in one so the run cannot straddle two.
  const left = windowMs - (Date.now() % windowMs);
  if (left < 5_000) {
    log(`global budget: waiting ${fmt(left / 1000, 1)} s for the next ${SMALL_BUDGET.text} window...`);
    await sleep(left + 200);
  }
  const window = Math.floor(Date.now() / windowMs);
  const total = 3 * tokens;
  log(`global budget: ${total} POST oauth-url with a ${SMALL_BUDGET.text} key, alternating between ${instances.length} instances...`);
  const rowsBefore = await countKeyStates();
  const perInstance = instances.map((i) => ({ instance: i.name, sent: 0, ok: 0, failedOpen: 0, limited: 0, other: {} as Record<string, number> }));
  const queue = Array.from({ length: total }, (_, n) => n % instances.length);
  const worker = async (target: number) => {
    for (;;) {
      const at = queue.indexOf(target);
      if (at < 0) return;
      queue.splice(at, 1);
      const counts = perInstance[target]!;
      counts.sent++;
      const res = await fetch(`${instances[target]!.url}/v1/projects/${projectId}/social/oauth-url`, {
        method: "POST",
        headers: { authorization: `Bearer ${smallToken}`, "content-type": "application/json" },
        body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }),
      }).catch(() => null);
      await res?.arrayBuffer();
      const status = res?.status ?? 0;
      if (status === 200) {
        counts.ok++;
        if (!res!.headers.has("x-ratelimit-limit")) counts.failedOpen++;
      } else if (status === 429) counts.limited++;
      else counts.other[String(status)] = (counts.other[String(status)] ?? 0) + 1;
    }
  };
  await Promise.all(instances.flatMap((_, target) => Array.from({ length: 10 }, () => worker(target))));
  const oneWindow = Math.floor(Date.now() / windowMs) === window;
  const totalOk = perInstance.reduce((sum, i) => sum + i.ok, 0);
  const totalLimited = perInstance.reduce((sum, i) => sum + i.limited, 0);
  const failedOpen = perInstance.reduce((sum, i) => sum + i.failedOpen, 0);
  const rowsInserted = (await countKeyStates()) - rowsBefore;
  // Global: the counted 200s across both instances are the budget, exactly. Answers the limiter let
  // through uncounted (failed open) are reported apart: they say Redis was slow, not that the budget was per instance.
  // Without failing open that is: 200s === budget. Each failed-open answer may or may not have been counted (a late Redis answer still counts).
  const met = oneWindow && totalOk + totalLimited === total && rowsInserted === totalOk && totalOk - failedOpen <= tokens && tokens <= totalOk;
  log(
    `  200s ${perInstance.map((i) => `${i.instance} ${i.ok}`).join(" + ")} = ${totalOk} (budget ${tokens}${failedOpen ? `; ${failedOpen} of them passed uncounted, the limiter having failed open` : ""}), 429s ${totalLimited}, ` +
      `rows ${rowsInserted}${perInstance.some((i) => Object.keys(i.other).length) ? `, other ${JSON.stringify(perInstance.map((i) => i.other))}` : ""}` +
      `${oneWindow ? "" : " (the run straddled two windows)"} -> ${met ? "global" : "NOT global"}`,
  );
  if (failedOpen) log(`  WARNING: the rate limiter failed open for ${failedOpen} requests (Redis slower than the app's 300 ms timeout; see the apps' stderr)`);
  return { budget: SMALL_BUDGET.text, sent: total, perInstance, totalOk, failedOpen, totalLimited, rowsInserted, oneWindow, met };
}
