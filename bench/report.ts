/** What the benchmark prints as it goes, the closing table and targets, and bench/results/latest.json. */
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative } from "node:path";
import { BASELINE_WORK } from "./baselineWork";
import type { EndpointName, PhaseResult, TargetName } from "./load";
import { BASELINE_PREPARE, CONNECTIONS, DURATION_S, RESULTS_DIR, ROOT, RSS_SAMPLE_MS, TARGET_P99_MS, TARGET_RATIO, WARMUP_S } from "./settings";

// A closed stdout (`npm run bench | head`) must not kill the run before it cleans up.
let stdoutOpen = true;
process.stdout.on("error", () => (stdoutOpen = false));

export function log(line: string) {
  if (stdoutOpen) process.stdout.write(`${line}\n`);
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const fmtMb = (mb: number | null) => (mb === null ? "n/a" : `${fmt(mb, 0)} MB`);
const loads = (l: number[]) => l.map((n) => n.toFixed(2)).join(" ");

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n");
}

export interface Run {
  startedAt: Date;
  loadBefore: number[];
  /** Sources newer than the build that was measured. */
  staleBuild: string[];
  baselineHow: string;
  endpoints: readonly EndpointName[];
  results: PhaseResult[];
}

export function logHeader(loadBefore: number[]) {
  log(
    `Layers Connect benchmark: ${DURATION_S} s per endpoint at ${CONNECTIONS} connections (warm-up ${WARMUP_S} s); ` +
      `${cpus().length} CPUs, load average ${loads(loadBefore)}; node ${process.version}`,
  );
}

/** Prints the comparison and the targets, and writes latest.json. */
export function report(run: Run) {
  const find = (target: TargetName, endpoint: EndpointName) => run.results.find((r) => r.target === target && r.endpoint === endpoint)!;
  const comparisons = run.endpoints.map((endpoint) => {
    const app = find("app", endpoint);
    const baseline = find("baseline", endpoint);
    return { endpoint, app, baseline, ratio: baseline.reqPerSec > 0 ? app.reqPerSec / baseline.reqPerSec : 0 };
  });
  const oauthUrl = comparisons.find((c) => c.endpoint === "oauth-url")!;
  const targets = {
    oauthUrlRatio: { target: `>= ${TARGET_RATIO}`, actual: round(oauthUrl.ratio, 3), met: oauthUrl.ratio >= TARGET_RATIO },
    oauthUrlP99Ms: { target: `<= ${TARGET_P99_MS}`, actual: oauthUrl.app.latencyMs.p99, met: oauthUrl.app.latencyMs.p99 <= TARGET_P99_MS },
  };
  const clean = run.results.every((r) => r.non2xx + r.errors + r.timeouts === 0);
  const loadAfter = loadavg();

  const rows = [["endpoint", "server", "req/s", "p50 ms", "p99 ms", "peak RSS", "CPU ms/req", "failed", "app/baseline"]];
  for (const c of comparisons) {
    for (const r of [c.app, c.baseline]) {
      rows.push([
        `${r.method} ${r.endpoint}`,
        r.target,
        fmt(r.reqPerSec, 0),
        String(r.latencyMs.p50),
        String(r.latencyMs.p99),
        fmtMb(r.peakRssMb),
        fmt(r.serverCpuMsPerReq, 2),
        String(r.non2xx + r.errors + r.timeouts),
        r.target === "app" ? `${fmt(c.ratio, 2)}x` : "",
      ]);
    }
  }
  log("");
  log(table(rows));
  log("");
  log(`req/s: autocannon's mean of per-second samples; p50/p99: latency of 2xx responses; peak RSS: summed VmRSS of the server's process tree, sampled every ${RSS_SAMPLE_MS} ms during the measured ${DURATION_S} s;`);
  log("CPU ms/req: user+system CPU of the server's process tree during the measured run / requests completed (less sensitive to other load than req/s).");
  log(
    `Baseline (bench/baseline.ts, ${run.baselineHow}): node:http + postgres-js (pool 10, ` +
      `${BASELINE_PREPARE ? "named prepared statements, postgres-js's default" : "unnamed statements, as drizzle sends them"}) + ioredis; per request:`,
  );
  for (const line of BASELINE_WORK) log(`  ${line}`);
  log("");
  log(`Target oauth-url app/baseline req/s ${targets.oauthUrlRatio.target}: ${fmt(oauthUrl.ratio, 2)} -> ${targets.oauthUrlRatio.met ? "MET" : "NOT MET"}`);
  log(`Target oauth-url app p99 ${targets.oauthUrlP99Ms.target} ms: ${oauthUrl.app.latencyMs.p99} ms -> ${targets.oauthUrlP99Ms.met ? "MET" : "NOT MET"}`);
  if (!clean) log("WARNING: some requests failed (see the 'failed' column and bench/results/*.stderr.log); the figures are not comparable.");
  log(`Load average before ${loads(run.loadBefore)}, after ${loads(loadAfter)} (a shared machine makes the figures noisy).`);

  const json = {
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
      rssSampleMs: RSS_SAMPLE_MS,
      baselinePrepare: BASELINE_PREPARE,
      baselineRun: run.baselineHow,
      sourcesNewerThanBuild: run.staleBuild,
    },
    machine: { cpus: cpus().length, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, loadavgBefore: run.loadBefore, loadavgAfter: loadAfter },
    baselineWork: BASELINE_WORK,
    results: run.results,
    comparisons: comparisons.map((c) => ({
      endpoint: c.endpoint,
      ratio: round(c.ratio, 3),
      cpuPerRequestRatio: c.baseline.serverCpuMsPerReq ? round(c.app.serverCpuMsPerReq / c.baseline.serverCpuMsPerReq, 2) : null,
    })),
    targets,
    clean,
  };
  const out = join(RESULTS_DIR, "latest.json");
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  log(`Results written to ${relative(ROOT, out)}`);
}
