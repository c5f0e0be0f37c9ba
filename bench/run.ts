/**
 * `npm run bench`: measures the app (`node scripts/serve.ts`, the production
 * front, on a throwaway PostgreSQL database and Redis) against a minimal
 * node:http + postgres-js + ioredis server doing the same work per request
 * (bench/baseline.ts), in one run:
 *
 *  1. full load: the two hot endpoints (POST oauth-url, GET oauth-status) at
 *     BENCH_CONNECTIONS, app and baseline taking turns in rounds (load.ts);
 *  2. fixed rate: BENCH_RATE req/s for BENCH_RATE_DURATION s per endpoint,
 *     app then baseline (fixedRate.ts);
 *  3. long-poll: BENCH_WAITERS open `oauth-status?wait=30` requests, the
 *     app's RSS and CPU while they sit idle, then dropped (waiters.ts);
 *  4. scale-out: two app instances on the same database and Redis, loaded
 *     together, and a small-budget key that must get exactly its budget
 *     across both (scaleOut.ts);
 *  5. the OAuth callback's own latency and CPU, with the sandbox platform on
 *     the other instance (callback.ts, platformProxy.ts).
 *
 * It prints the targets (settings.ts) as MET / NOT MET and exits 0; it
 * exits non-zero only when the benchmark could not run.
 *
 * Env (all optional):
 *   BENCH_DURATION=15       seconds of full load per endpoint and server (and per endpoint in the scale-out)
 *   BENCH_ROUNDS=3          full load is measured in this many rounds per endpoint, app and baseline taking turns
 *   BENCH_WARMUP=5          seconds of unmeasured load before a server's first full-load round (at most 1 s before later rounds)
 *   BENCH_CONNECTIONS=50    concurrent keep-alive connections at full load (split between the two instances in the scale-out)
 *   BENCH_RATE=200          requests per second in the fixed-rate run
 *   BENCH_RATE_DURATION=20  seconds per endpoint and server in the fixed-rate run
 *   BENCH_WAITERS=1000      long-poll requests held open at once
 *   BENCH_WAITERS_IDLE=10   seconds they are watched idle (at most 20: they wait 30 s)
 *   BENCH_CALLBACKS=200     OAuth callbacks measured (after 10 % more, at most 20, unmeasured)
 *   BENCH_DATABASE_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres
 *                           where the throwaway database layers_bench_<random> is created and dropped
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379
 *   BENCH_BUILD=1           run `next build` even when a build exists
 *   NEXT_DIST_DIR=.next     the build folder to use (and build into), as for `npm start`
 *   BENCH_SERVER_LOG=1      keep the apps' per-request logs in bench/results/<name>.stdout.log (default: discarded)
 *   BENCH_PROFILE=1         write CPU profiles of the first app run to bench/results/profile/ and of the baseline to
 *                          bench/results/profile/baseline/ (npx tsx bench/profile.ts [file] summarises one)
 *   BENCH_APP_NODE_FLAGS="--trace-gc"  more Node flags for the app instances (e.g. to see its garbage collections with BENCH_SERVER_LOG=1)
 *   BENCH_BASELINE_PREPARE=0  baseline sends unnamed statements, as drizzle does (default: postgres-js's named prepared statements)
 *
 * Writes bench/results/latest.json (gitignored) and the servers' stderr next to it.
 * The build, database and seed are in setup.ts, /proc sampling in
 * measure.ts, the closing tables and targets in report.ts.
 */
import { serverNodeFlags } from "../scripts/serverFlags";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort, Proc } from "../e2e/support/processes";
import { runCallbacks } from "./callback";
import { type FixedRateResult, runFixedRate } from "./fixedRate";
import { log } from "./format";
import { compareShapes, endpointsOf, interruptLoad, isInterrupted, pauseServer, type PhaseResult, resumeServer, runInterleaved, smokeTest } from "./load";
import { type PlatformProxy, startPlatformProxy } from "./platformProxy";
import { logHeader, report } from "./report";
import { checkGlobalBudget, type Instance, runScaleOut } from "./scaleOut";
import { APP_NODE_FLAGS, BASELINE_PREPARE, KEEP_SERVER_LOG, PROFILE, REDIS_URL, RESULTS_DIR, ROOT } from "./settings";
import { baselineCommand, createBenchDatabase, dropBenchDatabase, ensureBuild, pingRedis, seed, serverEnv } from "./setup";
import { runWaiters } from "./waiters";

process.chdir(ROOT); // openDatabase() finds the migrations under the working directory

const servers: Proc[] = [];
let proxy: PlatformProxy | null = null;
let benchDatabase: string | null = null;
let closeCheckSql: () => Promise<void> = async () => {};
let cleaningUp: Promise<void> | null = null;
/** Seconds each part of the run took (printed at the end, to keep the whole run's length in view). */
const phaseSeconds: Record<string, number> = {};

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    return await work();
  } finally {
    phaseSeconds[name] = Math.round((performance.now() - startedAt) / 100) / 10;
  }
}

/** Starts a server in its own process group, stdout to a file or nowhere, stderr to bench/results/<name>.stderr.log. */
function startServer(name: string, args: string[], env: Record<string, string>, stdoutFile: string | null): Proc {
  if (isInterrupted()) throw new Error("interrupted");
  const server = new Proc(process.execPath, args, env, { name: `the ${name} server`, cwd: ROOT, logFiles: { stdout: stdoutFile, stderr: join(RESULTS_DIR, `${name}.stderr.log`) } });
  servers.push(server);
  return server;
}

function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const server of servers) {
      resumeServer(server); // a stopped (SIGSTOP) server would not act on the SIGTERM
      await server.stop();
    }
    await proxy?.close().catch(() => {});
    await closeCheckSql().catch(() => {});
    if (benchDatabase) {
      const name = benchDatabase;
      benchDatabase = null;
      await dropBenchDatabase(name).catch((error: unknown) => log(`could not drop database ${name}: ${String(error)}`));
    }
  })();
  return cleaningUp;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (isInterrupted()) return;
    interruptLoad();
    log(`\n${signal}: stopping servers and dropping the bench database...`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date();
  const loadBefore = loadavg();
  logHeader(loadBefore);

  const staleBuild = ensureBuild();
  await pingRedis();

  const database = await createBenchDatabase();
  benchDatabase = database.name;
  const encryptionKey = randomBytes(32).toString("base64");
  const authSecret = randomBytes(32).toString("base64url");
  log(`Database ${database.name}: migrating and seeding...`);
  const seeded = await timed("seed", () => seed({ DATABASE_URL: database.url, LAYERS_ENCRYPTION_KEY: encryptionKey, AUTH_SECRET: authSecret }));
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  closeCheckSql = () => sql.end({ timeout: 5 });
  const countStates = async () => Number((await sql`select count(*)::int as n from oauth_states`)[0]!.n);
  const countKeyStates = async () => Number((await sql`select count(*)::int as n from oauth_states where api_key_id = ${seeded.smallKeyId}`)[0]!.n);
  const attemptStatuses = async (states: string[]) =>
    Object.fromEntries((await sql`select status, count(*)::int as n from oauth_states where id in ${sql(states)} group by status`).map((r) => [r.status as string, Number(r.n)]));

  // Every server's public URL is the forwarder, which stands in front of the sandbox in the callback run.
  proxy = await startPlatformProxy(await freePort());
  const publicUrl = proxy.url;
  const appEnv = (port: number, extra: Record<string, string> = {}) =>
    serverEnv({ DATABASE_URL: database.url, REDIS_URL, LAYERS_ENCRYPTION_KEY: encryptionKey, AUTH_SECRET: authSecret, PORT: String(port), LAYERS_PUBLIC_URL: publicUrl, NODE_ENV: "production", ...extra });
  const startApp = async (name: string, extra: Record<string, string> = {}, profile = false): Promise<Instance> => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const profiling = profile ? ["--cpu-prof", `--cpu-prof-dir=${join(RESULTS_DIR, "profile")}`] : [];
    const proc = startServer(name, [...profiling, ...APP_NODE_FLAGS, ...serverNodeFlags(), join(ROOT, "scripts", "serve.ts")], appEnv(port, extra), KEEP_SERVER_LOG ? join(RESULTS_DIR, `${name}.stdout.log`) : null);
    log(`Starting ${name} (node scripts/serve.ts) on ${url} (pid ${proc.pid})...`);
    await proc.waitUntilAnswering(url);
    return { name, proc, url };
  };

  // 1. Full load: one app instance and the baseline, taking turns (the one not measured is stopped).
  const app = await timed("app start", () => startApp("app", {}, PROFILE));
  const { state, shapes } = await smokeTest("app", app.url, seeded.projectId, seeded.token);
  const endpoints = endpointsOf(seeded.projectId, state);
  const basePort = await freePort();
  const baseUrl = `http://127.0.0.1:${basePort}`;
  const baselineCmd = await baselineCommand();
  const baselineProfiling = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${join(RESULTS_DIR, "profile", "baseline")}`] : [];
  const baseline = startServer(
    "baseline",
    [...baselineProfiling, ...baselineCmd.args],
    serverEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      LAYERS_ENCRYPTION_KEY: encryptionKey,
      PORT: String(basePort),
      LAYERS_PUBLIC_URL: publicUrl, // the app's, so both build the same authorize URL
      BASELINE_POOL: "10",
      BASELINE_PREPARE: BASELINE_PREPARE ? "1" : "0",
      NODE_ENV: "production",
    }),
    null,
  );
  log(`Starting the baseline (bench/baseline.ts) on ${baseUrl} (pid ${baseline.pid})...`);
  await baseline.waitUntilAnswering(baseUrl);
  compareShapes(shapes, (await smokeTest("baseline", baseUrl, seeded.projectId, seeded.token, state)).shapes);
  const results: PhaseResult[] = [];
  const targets = [
    { target: "app" as const, proc: app.proc, url: app.url },
    { target: "baseline" as const, proc: baseline, url: baseUrl },
  ];
  await timed("full load", async () => {
    for (const endpoint of endpoints) results.push(...(await runInterleaved(targets, endpoint, seeded.token, countStates)));
  });

  // 2-3. Fixed rate, app then baseline; long-poll waiters on the app. The baseline sits stopped meanwhile.
  const fixedRate: FixedRateResult[] = [];
  pauseServer(baseline);
  await timed("app fixed rate", async () => {
    for (const endpoint of endpoints) fixedRate.push(await runFixedRate("app", app.proc, app.url, endpoint, seeded.token, countStates));
  });
  const waiters = await timed("waiters", () => runWaiters(app.proc, app.url, seeded.projectId, seeded.token));
  await app.proc.stop();
  resumeServer(baseline);
  await timed("baseline fixed rate", async () => {
    for (const endpoint of endpoints) fixedRate.push(await runFixedRate("baseline", baseline, baseUrl, endpoint, seeded.token, countStates));
  });
  await baseline.stop();

  // 4-5. Two app instances, same env; both behind the forwarder, so they trust one proxy hop
  // (only the sandbox's per-address budget reads it). app-2 serves the sandbox for app-1's callbacks.
  const hops = { LAYERS_TRUSTED_PROXY_HOPS: "1" };
  const instances = await timed("two apps start", () => Promise.all([startApp("app-1", hops), startApp("app-2", hops)]));
  for (const instance of instances) await smokeTest("app", instance.url, seeded.projectId, seeded.token, state);
  const scaleOut = await timed("scale-out", () => runScaleOut(instances, endpoints, seeded.token, results));
  const globalBudget = await timed("global budget", () => checkGlobalBudget(instances, seeded.projectId, seeded.smallToken, countKeyStates));
  proxy.setUpstream(instances[1].url);
  const callbacks = await timed("callbacks", () =>
    runCallbacks({ callbackServer: instances[0], platformServer: instances[1], proxy: proxy!, projectId: seeded.projectId, token: seeded.token, attemptStatuses }),
  );
  await Promise.all(instances.map((i) => i.proc.stop()));

  const appRss = [
    ...results.filter((r) => r.target === "app").map((r) => ({ phase: `full load ${r.endpoint}`, peakMb: r.peakRssMb, byProcess: r.rssByProcess })),
    ...fixedRate.filter((r) => r.target === "app").map((r) => ({ phase: `fixed rate ${r.endpoint}`, peakMb: r.peakRssMb, byProcess: r.rssByProcess })),
    { phase: "long-poll waiters", peakMb: waiters.holding.peakRssMb, byProcess: waiters.holding.rssByProcess },
    ...scaleOut.flatMap((s) => s.shares.map((share) => ({ phase: `scale-out ${s.endpoint} ${share.instance}`, peakMb: share.peakRssMb, byProcess: share.rssByProcess }))),
    { phase: "callbacks app-1", peakMb: callbacks.peakRssMb, byProcess: callbacks.rssByProcess },
    { phase: "callbacks app-2 (sandbox)", peakMb: callbacks.platformPeakRssMb, byProcess: callbacks.platformRssByProcess },
  ];
  report({ startedAt, loadBefore, staleBuild, baselineHow: baselineCmd.how, endpoints: endpoints.map((e) => e.name), results, fixedRate, waiters, scaleOut, globalBudget, callbacks, appRss, phaseSeconds });
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  process.stderr.write(`\nThe benchmark could not run: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await cleanup();
}
process.exit(exitCode);
