/**
 * `npm run bench`: load-tests the two hot public endpoints of a real
 * `next start` (PostgreSQL + Redis), then a minimal node:http + postgres-js
 * server doing the same queries (bench/baseline.ts), and prints how the app
 * compares. A benchmark, not a test: it prints whether the targets are met
 * and exits 0; it exits non-zero only when the benchmark could not run.
 *
 * Env (all optional):
 *   BENCH_DURATION=10       seconds of load per endpoint and server
 *   BENCH_WARMUP=2          seconds of unmeasured load before each measurement
 *   BENCH_CONNECTIONS=50    concurrent keep-alive connections
 *   BENCH_DATABASE_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres
 *                           where the throwaway database layers_bench_<random> is created and dropped
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379
 *   BENCH_BUILD=1           run `next build` even when a build exists
 *   NEXT_DIST_DIR=.next     the build folder to use (and build into), as for `npm start`
 *   BENCH_SERVER_LOG=1      keep the app's per-request log in bench/results/app.stdout.log (default: discarded)
 *   BENCH_BASELINE_PREPARE=0  baseline sends unnamed statements, as drizzle does (default: postgres-js's named prepared statements)
 *
 * Writes bench/results/latest.json (gitignored) and the servers' stderr next to it.
 * Settings are in settings.ts, the build, database and seed in setup.ts, the
 * load and its smoke test in load.ts, /proc sampling in measure.ts, the
 * printed table in report.ts.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort, Proc } from "../e2e/support/processes";
import { endpointsOf, interruptLoad, isInterrupted, type PhaseResult, runLoad, smokeTest, type TargetName } from "./load";
import { log, logHeader, report } from "./report";
import { BASELINE_PREPARE, KEEP_SERVER_LOG, NEXT_BIN, REDIS_URL, RESULTS_DIR, ROOT } from "./settings";
import { baselineCommand, createBenchDatabase, dropBenchDatabase, ensureBuild, pingRedis, seed, serverEnv } from "./setup";

process.chdir(ROOT); // openDatabase() finds the migrations under the working directory

const servers: Proc[] = [];
let benchDatabase: string | null = null;
let closeCheckSql: () => Promise<void> = async () => {};
let cleaningUp: Promise<void> | null = null;

/** Starts a server in its own process group, stdout to a file or nowhere, stderr to bench/results/<name>.stderr.log. */
function startServer(name: TargetName, args: string[], env: Record<string, string>, stdoutFile: string | null): Proc {
  if (isInterrupted()) throw new Error("interrupted");
  const server = new Proc(process.execPath, args, env, { name: `the ${name} server`, cwd: ROOT, logFiles: { stdout: stdoutFile, stderr: join(RESULTS_DIR, `${name}.stderr.log`) } });
  servers.push(server);
  return server;
}

function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const server of servers) await server.stop();
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
  const seeded = await seed({ DATABASE_URL: database.url, LAYERS_ENCRYPTION_KEY: encryptionKey, AUTH_SECRET: authSecret });
  const checkSql = postgres(database.url, { max: 1, onnotice: () => {} });
  closeCheckSql = () => checkSql.end({ timeout: 5 });
  const countStates = async () => Number((await checkSql`select count(*)::int as n from oauth_states`)[0]!.n);

  // The app.
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const app = startServer(
    "app",
    [NEXT_BIN, "start", "-p", String(appPort), "-H", "127.0.0.1"],
    serverEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      LAYERS_ENCRYPTION_KEY: encryptionKey,
      AUTH_SECRET: authSecret,
      PORT: String(appPort),
      LAYERS_PUBLIC_URL: appUrl,
      NODE_ENV: "production",
    }),
    KEEP_SERVER_LOG ? join(RESULTS_DIR, "app.stdout.log") : null,
  );
  log(`Starting next start on ${appUrl} (pid ${app.pid})...`);
  await app.waitUntilAnswering(appUrl);
  const state = await smokeTest("app", appUrl, seeded.projectId, seeded.token);

  const endpoints = endpointsOf(seeded.projectId, state);
  const results: PhaseResult[] = [];
  for (const endpoint of endpoints) results.push(await runLoad("app", app, appUrl, endpoint, seeded.token, countStates));
  await app.stop();

  // The baseline, on the same database, with the same key and attempt.
  const basePort = await freePort();
  const baseUrl = `http://127.0.0.1:${basePort}`;
  const baselineCmd = await baselineCommand();
  const baseline = startServer(
    "baseline",
    baselineCmd.args,
    serverEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      LAYERS_ENCRYPTION_KEY: encryptionKey,
      PORT: String(basePort),
      LAYERS_PUBLIC_URL: appUrl, // the app's, so both build the same authorize URL
      BASELINE_POOL: "10",
      BASELINE_PREPARE: BASELINE_PREPARE ? "1" : "0",
      NODE_ENV: "production",
    }),
    null,
  );
  log(`Starting the baseline (bench/baseline.ts) on ${baseUrl} (pid ${baseline.pid})...`);
  await baseline.waitUntilAnswering(baseUrl);
  await smokeTest("baseline", baseUrl, seeded.projectId, seeded.token, state);
  for (const endpoint of endpoints) results.push(await runLoad("baseline", baseline, baseUrl, endpoint, seeded.token, countStates));
  await baseline.stop();

  report({ startedAt, loadBefore, staleBuild, baselineHow: baselineCmd.how, endpoints: endpoints.map((e) => e.name), results });
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
