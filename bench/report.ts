/** The closing tables, the targets, and bench/results/latest.json. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative } from "node:path";
import { BASELINE_WORK } from "./baselineWork";
import type { CallbackResult } from "./callback";
import type { FixedRateResult } from "./fixedRate";
import { fmt, fmtMb, loads, log, metText, round, table } from "./format";
import type { EndpointName, PhaseResult, TargetName } from "./load";
import type { GlobalBudgetResult, ScaleOutResult } from "./scaleOut";
import {
  BASELINE_PREPARE,
  CALLBACKS,
  CONNECTIONS,
  DURATION_S,
  ROUNDS,
  RATE,
  RATE_DURATION_S,
  RESULTS_DIR,
  ROOT,
  RSS_SAMPLE_MS,
  TARGET_P99_RATIO,
  TARGET_RATIO,
  TARGET_RSS_MB,
  WAITERS,
  WAITERS_IDLE_S,
  WARMUP_S,
} from "./settings";
import type { WaitersResult } from "./waiters";

export { log } from "./format";

export interface Run {
  startedAt: Date;
  loadBefore: number[];
  /** Sources newer than the build that was measured. */
  staleBuild: string[];
  baselineHow: string;
  endpoints: readonly EndpointName[];
  results: PhaseResult[];
  fixedRate: FixedRateResult[];
  waiters: WaitersResult;
  scaleOut: ScaleOutResult[];
  globalBudget: GlobalBudgetResult;
  callbacks: CallbackResult;
  /** Peak RSS of one app instance's tree, per phase it was sampled in, and MB per process at that peak. */
  appRss: Array<{ phase: string; peakMb: number | null; byProcess: Record<string, number> }>;
  phaseSeconds: Record<string, number>;
}

export function logHeader(loadBefore: number[]) {
  log(
    `Layers Connect benchmark: ${DURATION_S} s per endpoint at ${CONNECTIONS} connections (warm-up ${WARMUP_S} s), ${RATE} req/s for ${RATE_DURATION_S} s, ` +
      `${WAITERS} long-poll waiters, ${CALLBACKS} callbacks, 2 instances; ${cpus().length} CPUs, load average ${loads(loadBefore)}; node ${process.version}`,
  );
}

interface Target {
  /** What is measured, and the bound it must keep. */
  measure: string;
  limit: string;
  actual: number | null;
  met: boolean;
}

function targetsOf(run: Run) {
  const find = (target: TargetName, endpoint: EndpointName) => run.results.find((r) => r.target === target && r.endpoint === endpoint)!;
  const targets: Record<string, Target> = {};
  for (const endpoint of run.endpoints) {
    const app = find("app", endpoint);
    const baseline = find("baseline", endpoint);
    const ratio = baseline.reqPerSec > 0 ? app.reqPerSec / baseline.reqPerSec : 0;
    const name = endpoint === "oauth-url" ? "oauthUrl" : "oauthStatus";
    targets[`${name}Ratio`] = { measure: `${endpoint} req/s, app / baseline`, limit: `>= ${TARGET_RATIO}`, actual: round(ratio, 3), met: ratio >= TARGET_RATIO };
    const limit = TARGET_P99_RATIO * baseline.latencyMs.p99;
    targets[`${name}P99Ms`] = {
      measure: `${endpoint} app p99 ms (full load)`,
      limit: `<= ${TARGET_P99_RATIO} x baseline's ${baseline.latencyMs.p99} = ${fmt(limit, 1)}`,
      actual: app.latencyMs.p99,
      met: app.latencyMs.p99 <= limit,
    };
  }
  const peak = run.appRss.reduce<Run["appRss"][number] | null>((max, r) => (r.peakMb !== null && (max === null || r.peakMb > max.peakMb!) ? r : max), null);
  targets.appPeakRssMb = {
    measure: "app peak RSS MB (one instance, any phase)",
    limit: `<= ${TARGET_RSS_MB}`,
    actual: peak ? round(peak.peakMb!, 1) : null,
    met: peak !== null && peak.peakMb! <= TARGET_RSS_MB,
  };
  return { targets, peak };
}

function targetsTable(targets: Record<string, Target>) {
  const rows = [["target", "actual", "bound", "result"]];
  for (const t of Object.values(targets)) rows.push([t.measure, t.actual === null ? "n/a" : String(t.actual), t.limit, metText(t.met)]);
  log("Targets:");
  log(table(rows));
}

function throughputTable(run: Run) {
  const rows = [["endpoint", "server", "req/s", "rounds' req/s", "p50 ms", "p99 ms", "peak RSS", "CPU ms/req", "failed", "app/baseline"]];
  for (const endpoint of run.endpoints) {
    const pair = (["app", "baseline"] as const).map((t) => run.results.find((r) => r.target === t && r.endpoint === endpoint)!);
    const ratio = pair[1]!.reqPerSec ? pair[0]!.reqPerSec / pair[1]!.reqPerSec : 0;
    for (const r of pair) {
      const failed = r.non2xx + r.errors + r.timeouts;
      rows.push([`${r.method} ${r.endpoint}`, r.target, fmt(r.reqPerSec, 0), (r.roundsReqPerSec ?? []).map((n) => fmt(n, 0)).join(" / "), String(r.latencyMs.p50), String(r.latencyMs.p99), fmtMb(r.peakRssMb), fmt(r.serverCpuMsPerReq, 2), String(failed), r.target === "app" ? `${fmt(ratio, 2)}x` : ""]);
    }
  }
  log(`Full load (${CONNECTIONS} connections, ${DURATION_S} s per server in ${ROUNDS} rounds, app and baseline taking turns; medians of the rounds):`);
  log(table(rows));
}

function fixedRateTable(run: Run) {
  const rows = [["endpoint", "server", "sent/s", "ok/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "CPU %", "CPU ms/req", "peak RSS", "failed", "p99 app/base"]];
  for (const endpoint of run.endpoints) {
    const pair = (["app", "baseline"] as const).map((t) => run.fixedRate.find((r) => r.target === t && r.endpoint === endpoint)!);
    for (const r of pair) {
      const ratio = pair[1]!.latencyMs.p99 ? r.latencyMs.p99 / pair[1]!.latencyMs.p99 : 0;
      rows.push([
        `${endpoint}`,
        r.target,
        fmt(r.sentPerSec, 0),
        fmt(r.okPerSec, 0),
        fmt(r.latencyMs.p50, 1),
        fmt(r.latencyMs.p90, 1),
        fmt(r.latencyMs.p99, 1),
        fmt(r.latencyMs.max, 1),
        fmt(r.serverCpuPct, 0),
        fmt(r.serverCpuMsPerReq, 2),
        fmtMb(r.peakRssMb),
        String(r.failed),
        r.target === "app" ? `${fmt(ratio, 2)}x` : "",
      ]);
    }
  }
  log(`Fixed rate (${RATE} req/s for ${RATE_DURATION_S} s, paced evenly, open loop; latency from each request's send; CPU %: of one core):`);
  log(table(rows));
}

function waitersSection(w: WaitersResult) {
  log(`Long-poll waiters (${w.waiters} x GET oauth-status?wait=30 on pending attempts, one socket each, ${WAITERS_IDLE_S} s idle):`);
  log(
    `  held ${w.heldToTheEnd}/${w.waiters} (opened in ${fmt(w.openSeconds, 1)} s); app RSS (median) ${fmtMb(w.before.medianRssMb)} idle -> ${fmtMb(w.holding.medianRssMb)} holding them ` +
      `= ${w.rssPerWaiterKb === null ? "n/a" : `${fmt(w.rssPerWaiterKb, 1)} KB`} per waiter; ${fmtMb(w.after.medianRssMb)} after they left`,
  );
  log(`  CPU while idle: ${fmt(w.before.cpuPct, 2)} % of a core without them, ${fmt(w.holding.cpuPct, 2)} % holding them; open fds ${w.before.fds} -> ${w.holding.fds} -> ${w.after.fds}`);
  log(
    `  after they left: status ${w.afterwards.status}, 1 s long-poll ${w.afterwards.longPollStatus} in ${w.afterwards.longPollMs} ms, new attempt ${w.afterwards.create} -> ` +
      `${w.stillAnswers ? "the app still answers" : "NOT ANSWERING NORMALLY"}`,
  );
}

function scaleOutSection(run: Run) {
  const rows = [["endpoint", "instance", "req/s", "p50 ms", "p99 ms", "peak RSS", "CPU ms/req", "failed", "total/one instance"]];
  for (const s of run.scaleOut) {
    for (const share of s.shares) rows.push([s.endpoint, share.instance, fmt(share.reqPerSec, 0), String(share.p50), String(share.p99), fmtMb(share.peakRssMb), fmt(share.serverCpuMsPerReq, 2), String(share.failed), ""]);
    rows.push([s.endpoint, "total", fmt(s.totalReqPerSec, 0), "", "", "", "", "", s.ratio === null ? "" : `${fmt(s.ratio, 2)}x`]);
  }
  log("Scale-out (two instances, same PostgreSQL and Redis, connections split between them; 2 cores shared with the load generator):");
  log(table(rows));
  const b = run.globalBudget;
  log(
    `  Global rate budget (${b.budget} key, ${b.sent} POSTs alternating): 200s ${b.perInstance.map((i) => `${i.instance} ${i.ok}`).join(" + ")} = ${b.totalOk}` +
      `${b.failedOpen ? ` (${b.failedOpen} passed uncounted: the limiter failed open)` : ""}, 429s ${b.totalLimited}, rows ${b.rowsInserted} -> ${b.met ? "PASS (one budget across instances)" : "FAIL"}`,
  );
}

function callbackSection(c: CallbackResult) {
  log(`OAuth callback (GET /v1/social/oauth/callback/tiktok, sandbox, ${c.callbacks} callbacks one at a time after ${c.warmup} unmeasured):`);
  log(`  ${c.ok}/${c.callbacks} redirected to the returnUrl; attempts ${JSON.stringify(c.attemptStatuses)}${Object.keys(c.failures).length ? `; failures ${JSON.stringify(c.failures)}` : ""}`);
  log(`  latency end to end p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms (mean ${c.latencyMs.mean})`);
  log(`    the platform's part (token + profile, ${c.platformCallsPerCallback} calls/callback, timed at the forwarder): p50 ${c.platformMs.p50} ms, p99 ${c.platformMs.p99} ms`);
  log(`    the callback's own: p50 ${c.ownLatencyMs.p50} ms, p99 ${c.ownLatencyMs.p99} ms (mean ${c.ownLatencyMs.mean})`);
  log(
    `  server CPU per callback: ${fmt(c.cpuMsPerCallback, 2)} ms measured, ${fmt(c.cpuMsPerCallbackNet, 2)} ms less the instance's idle background (${fmt(c.idleCpuMsPerS, 1)} ms/s); ` +
      `the platform's (sandbox instance, not included): ${fmt(c.platformCpuMsPerCallback, 2)} ms`,
  );
  log("  Included: the callback instance's whole tree: route, attempt claim, token exchange and profile fetch client side (HTTP, JSON), sealing the tokens, account upsert,");
  log("  attempt completion, event and audit rows, the 303. Not included: the sandbox's token and profile handlers (other process), the consent (prepared beforehand).");
}

/** What each server wrote to stderr, by level and message: a limiter that failed open or a pool that timed out shows here. */
function serverLogs(names: string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of names) {
    const file = join(RESULTS_DIR, `${name}.stderr.log`);
    if (!existsSync(file)) continue;
    const counts: Record<string, number> = {};
    for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
      let key = line.slice(0, 120);
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        if (entry.msg) key = `${entry.level ?? "?"}: ${entry.msg}`;
      } catch {
        // not a log line of ours: counted as it is
      }
      counts[key] = (counts[key] ?? 0) + 1;
    }
    if (Object.keys(counts).length) out[name] = counts;
  }
  return out;
}

/** Prints the sections and the targets, and writes latest.json. */
export function report(run: Run) {
  const { targets, peak } = targetsOf(run);
  const clean =
    run.results.every((r) => r.non2xx + r.errors + r.timeouts === 0) &&
    run.fixedRate.every((r) => r.failed === 0) &&
    run.scaleOut.every((s) => s.shares.every((share) => share.failed === 0)) &&
    run.callbacks.ok === run.callbacks.callbacks &&
    run.waiters.heldToTheEnd === run.waiters.waiters &&
    run.waiters.stillAnswers;
  const loadAfter = loadavg();
  const stderr = serverLogs(["app", "baseline", "app-1", "app-2"]);

  log("");
  throughputTable(run);
  log(`req/s: autocannon's mean of per-second samples; p50/p99: latency of 2xx responses; peak RSS: summed VmRSS of the server's process tree, sampled every ${RSS_SAMPLE_MS} ms;`);
  log("CPU ms/req: user+system CPU of the server's process tree during the run / requests completed (less sensitive to other load than req/s).");
  log("");
  fixedRateTable(run);
  log("");
  waitersSection(run.waiters);
  log("");
  scaleOutSection(run);
  log("");
  callbackSection(run.callbacks);
  log("");
  log(
    `Baseline (bench/baseline.ts, ${run.baselineHow}): node:http + postgres-js (pool 10, ` +
      `${BASELINE_PREPARE ? "named prepared statements, postgres-js's default" : "unnamed statements, as drizzle sends them"}) + ioredis; per request:`,
  );
  for (const line of BASELINE_WORK) log(`  ${line}`);
  log("");
  targetsTable(targets);
  if (peak) log(`  (the peak: ${peak.phase}; by process ${Object.entries(peak.byProcess).map(([name, mb]) => `${name} ${fmt(mb, 0)} MB`).join(", ")})`);
  if (!clean) log("WARNING: some requests failed or checks did not hold (see above and bench/results/*.stderr.log); the figures are not comparable.");
  if (Object.values(stderr).some((counts) => Object.keys(counts).some((msg) => msg.includes("rate limit store unavailable")))) {
    log("WARNING: an app's rate limiter failed open during the run (see its stderr): it skipped Redis for a while, so its figures are not comparable.");
  }
  if (!run.globalBudget.met) log("WARNING: the two instances together granted more or less than the small key's budget.");
  for (const [name, counts] of Object.entries(stderr)) {
    log(`The ${name} server logged to stderr: ${Object.entries(counts).map(([msg, n]) => `${n} x "${msg}"`).join(", ")} (bench/results/${name}.stderr.log)`);
  }
  log(`Load average before ${loads(run.loadBefore)}, after ${loads(loadAfter)} (a shared machine makes the figures noisy).`);
  log(`Seconds per part: ${Object.entries(run.phaseSeconds).map(([name, s]) => `${name} ${fmt(s, 0)}`).join(", ")}; in all ${fmt((Date.now() - run.startedAt.getTime()) / 1000, 0)} s.`);

  const json = {
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
      rate: RATE,
      rateDurationS: RATE_DURATION_S,
      waiters: WAITERS,
      waitersIdleS: WAITERS_IDLE_S,
      callbacks: CALLBACKS,
      rssSampleMs: RSS_SAMPLE_MS,
      baselinePrepare: BASELINE_PREPARE,
      baselineRun: run.baselineHow,
      sourcesNewerThanBuild: run.staleBuild,
    },
    machine: { cpus: cpus().length, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, loadavgBefore: run.loadBefore, loadavgAfter: loadAfter },
    baselineWork: BASELINE_WORK,
    results: run.results,
    comparisons: run.endpoints.map((endpoint) => {
      const [app, baseline] = (["app", "baseline"] as const).map((t) => run.results.find((r) => r.target === t && r.endpoint === endpoint)!);
      return {
        endpoint,
        ratio: baseline!.reqPerSec ? round(app!.reqPerSec / baseline!.reqPerSec, 3) : null,
        p99Ratio: baseline!.latencyMs.p99 ? round(app!.latencyMs.p99 / baseline!.latencyMs.p99, 3) : null,
        cpuPerRequestRatio: baseline!.serverCpuMsPerReq ? round(app!.serverCpuMsPerReq / baseline!.serverCpuMsPerReq, 2) : null,
      };
    }),
    fixedRate: run.fixedRate,
    waiters: run.waiters,
    scaleOut: run.scaleOut,
    globalBudget: run.globalBudget,
    callbacks: run.callbacks,
    appRss: run.appRss,
    phaseSeconds: run.phaseSeconds,
    serverStderr: stderr,
    targets,
    clean,
  };
  const out = join(RESULTS_DIR, "latest.json");
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  log(`Results written to ${relative(ROOT, out)}`);
}
