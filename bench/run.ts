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
 *   BENCH_BUILD=1           run `next build` even when .next/BUILD_ID exists
 *   BENCH_SERVER_LOG=1      keep the app's per-request log in bench/results/app.stdout.log (default: discarded)
 *   BENCH_BASELINE_PREPARE=0  baseline sends unnamed statements, as drizzle does (default: postgres-js's named prepared statements)
 *
 * Writes bench/results/latest.json (gitignored) and the servers' stderr next to it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type AutocannonResult } from "autocannon";
import { Redis } from "ioredis";
import postgres from "postgres";
import { BASELINE_WORK } from "./baselineWork";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT); // openDatabase() finds the migrations under the working directory

const positiveNumber = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return value;
};

const DURATION_S = Math.max(1, positiveNumber("BENCH_DURATION", 10));
const WARMUP_S = positiveNumber("BENCH_WARMUP", 2);
const CONNECTIONS = Math.max(1, Math.round(positiveNumber("BENCH_CONNECTIONS", 50)));
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";
const BASELINE_PREPARE = process.env.BENCH_BASELINE_PREPARE !== "0";
const RESULTS_DIR = join(ROOT, "bench", "results");
const NEXT_BIN = join(ROOT, "node_modules", "next", "dist", "bin", "next");
const RSS_SAMPLE_MS = 200;
const RETURN_URL = "https://bench.example.com/connect/return";
/** 10,000,000 per minute: the limiter does its Redis round trip but never refuses. */
const HUGE_BUDGET = "10000000/60s";

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 30;

type EndpointName = "oauth-url" | "oauth-status";
type TargetName = "app" | "baseline";

interface PhaseResult {
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
  rssProcesses: number;
  /** CPU time (user + system) of the server's process tree per completed request: less noisy than req/s on a shared machine. */
  serverCpuMsPerReq: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationS: number;
  /** POST only: oauth_states rows added during the measured run; should match `ok` give or take in-flight requests. */
  rowsInserted?: number;
}

// ---------------------------------------------------------------- processes

interface ServerProcess {
  name: TargetName;
  pid: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderrPath: string;
  stopped: boolean;
}

const servers: ServerProcess[] = [];
/** Set on SIGINT/SIGTERM: no new server may start, the running load stops. */
let interrupted = false;
let currentLoad: { stop(): void } | null = null;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts a server in its own process group, stdout to `stdoutPath` (or nowhere), stderr to a file. */
function startServer(name: TargetName, args: string[], env: Record<string, string>, stdoutPath: string | null): ServerProcess {
  if (interrupted) throw new Error("interrupted");
  const stderrPath = join(RESULTS_DIR, `${name}.stderr.log`);
  const out = stdoutPath ? openSync(stdoutPath, "w") : "ignore";
  const err = openSync(stderrPath, "w");
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", out, err] });
  if (typeof out === "number") closeSync(out);
  closeSync(err);
  if (child.pid === undefined) throw new Error(`could not start the ${name} server`);
  const exited = new Promise<number | null>((resolveExit) => child.on("exit", (code) => resolveExit(code)));
  const server: ServerProcess = { name, pid: child.pid, child, exited, stderrPath, stopped: false };
  servers.push(server);
  return server;
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

async function stopServer(server: ServerProcess) {
  if (server.stopped) return;
  server.stopped = true;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-server.pid, sig);
    } catch {
      // the group is gone
    }
  };
  if (server.child.exitCode === null && server.child.signalCode === null) {
    signal("SIGTERM");
    await Promise.race([server.exited, sleep(5000)]);
  }
  // Whatever the leader left behind in its group.
  signal("SIGKILL");
}

/** Resolves once the server answers HTTP at all (any status). */
async function waitUntilAnswering(server: ServerProcess, baseUrl: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the ${server.name} server exited during start:\n${tail(server.stderrPath)}`);
    try {
      await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`the ${server.name} server did not answer within ${timeoutMs / 1000} s:\n${tail(server.stderrPath)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- RSS sampling

/** The process and all its descendants, from the ppid field of /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  } catch {
    return 0;
  }
}
const TICK_MS = 10;

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the summed VmRSS of a process tree every RSS_SAMPLE_MS; `stop()`
 * gives the peak, and the CPU time the tree used in between.
 */
function sampleRss(rootPid: number) {
  const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0);
  const cpuAtStart = cpuOf(processTree(rootPid));
  let peakKb = 0;
  let processes = 0;
  let samples = 0;
  const sample = () => {
    const tree = processTree(rootPid);
    const kb = tree.reduce((sum, pid) => sum + rssKb(pid), 0);
    samples++;
    if (kb > peakKb) peakKb = kb;
    processes = Math.max(processes, tree.length);
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const cpuMs = (cpuOf(processTree(rootPid)) - cpuAtStart) * TICK_MS;
      return { peakMb: peakKb ? peakKb / 1024 : null, processes, samples, cpuMs };
    },
  };
}

// ---------------------------------------------------------------- setup

async function createBenchDatabase() {
  const name = `layers_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function pingRedis() {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis at ${REDIS_URL} is not reachable (${String(error)}); set BENCH_REDIS_URL`);
  } finally {
    redis.disconnect();
  }
}

async function dropBenchDatabase(name: string) {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Migrates and seeds through the domain functions, as ladmin would. */
async function seed(databaseUrl: string) {
  const { openDatabase } = await import("@/db/client");
  const { createOrganization } = await import("@/server/orgs/service");
  const { createProject } = await import("@/server/projects/service");
  const { createApiKey } = await import("@/server/keys/service");
  const database = await openDatabase({ databaseUrl, dataDir: "unused", poolSize: 2 });
  try {
    await database.migrate();
    const actor = { type: "system" } as const;
    const org = await createOrganization(database.db, { name: "Bench organization" }, actor);
    const project = await createProject(database.db, { orgId: org.id, name: "Bench project" }, actor);
    // A test key: TikTok then goes to this instance's sandbox, so no platform credentials are needed.
    const key = await createApiKey(
      database.db,
      {
        orgId: org.id,
        name: "Bench key",
        mode: "test",
        scopes: ["social:write", "social:read"],
        allow: [RETURN_URL],
        writeLimit: HUGE_BUDGET,
        readLimit: HUGE_BUDGET,
      },
      actor,
    );
    return { orgId: org.id, projectId: project.id, keyId: key.id, token: key.key };
  } finally {
    await database.close();
  }
}

/** Non-test sources newer than the build: the build may not be the code in the tree. */
function staleSources(buildIdPath: string): string[] {
  const builtAt = statSync(buildIdPath).mtimeMs;
  const newer: string[] = [];
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== "node_modules" && entry !== "testing") visit(join(path, entry));
    } else if (/\.(ts|tsx|js|mjs|css|sql)$/.test(path) && !/\.test\.tsx?$/.test(path) && stat.mtimeMs > builtAt) {
      newer.push(relative(ROOT, path));
    }
  };
  for (const path of ["app", "server", "db", "drizzle", "instrumentation.ts", "next.config.ts", "package-lock.json"]) visit(join(ROOT, path));
  return newer;
}

/** Returns the sources newer than the build it benchmarks (empty when fresh). */
function ensureBuild(): string[] {
  const buildId = join(ROOT, ".next", "BUILD_ID");
  const build = () => {
    log("Building with `next build` (about a minute)...");
    const result = spawnSync(process.execPath, [NEXT_BIN, "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  };
  if (!existsSync(buildId) || process.env.BENCH_BUILD === "1") {
    build();
    return [];
  }
  const stale = staleSources(buildId);
  if (stale.length) {
    log(
      `WARNING: ${stale.length} source file(s) changed after the last build (${stale.slice(0, 5).join(", ")}${stale.length > 5 ? ", ..." : ""}); ` +
        "benchmarking the existing build. Run with BENCH_BUILD=1 to rebuild first.",
    );
  }
  return stale;
}

/**
 * The baseline runs as plain JavaScript, as a real minimal server would: the
 * tsx loader alone adds about 40 MB of RSS. esbuild (tsx's own dependency)
 * strips the types; packages stay imports from node_modules.
 */
async function baselineCommand(): Promise<{ args: string[]; how: string }> {
  const source = join(ROOT, "bench", "baseline.ts");
  try {
    const { build } = await import("esbuild");
    const outfile = join(RESULTS_DIR, "baseline.mjs");
    await build({ entryPoints: [source], outfile, bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", logLevel: "warning" });
    return { args: [outfile], how: "compiled by esbuild, run by plain node" };
  } catch (error) {
    log(`(esbuild unavailable: ${String(error)}; running the baseline through tsx, which adds its loader's memory to the baseline's RSS)`);
    return { args: ["--import", "tsx", source], how: "run through the tsx loader" };
  }
}

/** The environment a server sees: the machine's, minus anything that would change what it talks to. */
function serverEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(DATABASE_URL|REDIS_URL|PORT|AUTH_SECRET|UPSTASH_|LAYERS_|TIKTOK_|INSTAGRAM_|BENCH_|BASELINE_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

// ---------------------------------------------------------------- load

interface Endpoint {
  name: EndpointName;
  method: "GET" | "POST";
  path: string;
  body?: string;
}

async function runLoad(
  target: TargetName,
  server: ServerProcess,
  baseUrl: string,
  endpoint: Endpoint,
  token: string,
  countStates: () => Promise<number>,
): Promise<PhaseResult> {
  const options = {
    url: `${baseUrl}${endpoint.path}`,
    method: endpoint.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(endpoint.body ? { "content-type": "application/json" } : {}),
    },
    ...(endpoint.body ? { body: endpoint.body } : {}),
    connections: CONNECTIONS,
    timeout: 10,
  };
  log(`${target} ${endpoint.method} ${endpoint.name}: ${WARMUP_S ? `${WARMUP_S} s warm-up, then ` : ""}${DURATION_S} s at ${CONNECTIONS} connections...`);
  const load = (duration: number) => {
    if (interrupted) throw new Error("interrupted");
    const instance = autocannon({ ...options, duration });
    currentLoad = instance;
    return instance;
  };
  if (WARMUP_S > 0) {
    await load(WARMUP_S);
    await sleep(200); // requests the warm-up cut off still finish on the server
  }
  const statesBefore = endpoint.method === "POST" ? await countStates() : 0;
  const rss = sampleRss(server.pid);
  let result: AutocannonResult;
  let memory: ReturnType<ReturnType<typeof sampleRss>["stop"]>;
  try {
    result = await load(DURATION_S);
  } finally {
    memory = rss.stop();
  }
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const phase: PhaseResult = {
    endpoint: endpoint.name,
    target,
    method: endpoint.method,
    path: endpoint.path,
    reqPerSec: result.requests.average,
    okPerSec: result["2xx"] / (result.duration || DURATION_S),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    peakRssMb: memory.peakMb,
    rssProcesses: memory.processes,
    serverCpuMsPerReq: result.requests.total ? round(memory.cpuMs / result.requests.total, 3) : 0,
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
      `server CPU ${fmt(phase.serverCpuMsPerReq, 2)} ms/req` +
      (phase.rowsInserted !== undefined ? `, ${phase.ok} x 200 / ${phase.rowsInserted} rows inserted` : "") +
      (failed ? ` -- ${failed} failed (non-2xx ${phase.non2xx}, errors ${phase.errors}, timeouts ${phase.timeouts}; statuses ${JSON.stringify(statusCodes)})` : ""),
  );
  if (failed) log(`  see ${relative(ROOT, server.stderrPath)}`);
  // Requests cut off at either end of the run may insert without a counted 200: at most one per connection per end.
  if (phase.rowsInserted !== undefined && Math.abs(phase.rowsInserted - phase.ok) > 2 * CONNECTIONS) {
    log(`  WARNING: ${phase.ok} responses were 200 but ${phase.rowsInserted} oauth_states rows were inserted`);
  }
  return phase;
}

/** One real request each, so a misconfigured server is a clear error and not a table of 401s. */
async function smokeTest(target: TargetName, baseUrl: string, projectId: string, token: string, state?: string) {
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
  return created.state;
}

// ---------------------------------------------------------------- output

// A closed stdout (`npm run bench | head`) must not kill the run before it cleans up.
let stdoutOpen = true;
process.stdout.on("error", () => (stdoutOpen = false));

function log(line: string) {
  if (stdoutOpen) process.stdout.write(`${line}\n`);
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const fmtMb = (mb: number | null) => (mb === null ? "n/a" : `${fmt(mb, 0)} MB`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n");
}

// ---------------------------------------------------------------- main

let benchDatabase: string | null = null;
let closeCheckSql: () => Promise<void> = async () => {};
let cleaningUp: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const server of servers) await stopServer(server);
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
    if (interrupted) return;
    interrupted = true;
    currentLoad?.stop();
    log(`\n${signal}: stopping servers and dropping the bench database...`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(
    `Layers Connect benchmark: ${DURATION_S} s per endpoint at ${CONNECTIONS} connections (warm-up ${WARMUP_S} s); ` +
      `${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}; node ${process.version}`,
  );

  const staleBuild = ensureBuild();
  await pingRedis();

  const database = await createBenchDatabase();
  benchDatabase = database.name;
  log(`Database ${database.name}: migrating and seeding...`);
  const seeded = await seed(database.url);
  const checkSql = postgres(database.url, { max: 1, onnotice: () => {} });
  closeCheckSql = () => checkSql.end({ timeout: 5 });
  const countStates = async () => Number((await checkSql`select count(*)::int as n from oauth_states`)[0]!.n);

  const encryptionKey = randomBytes(32).toString("base64");
  const authSecret = randomBytes(32).toString("base64url");

  // ------------------------------------------------ the app
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
    process.env.BENCH_SERVER_LOG === "1" ? join(RESULTS_DIR, "app.stdout.log") : null,
  );
  log(`Starting next start on ${appUrl} (pid ${app.pid})...`);
  await waitUntilAnswering(app, appUrl);
  const state = await smokeTest("app", appUrl, seeded.projectId, seeded.token);

  const endpoints: Endpoint[] = [
    {
      name: "oauth-url",
      method: "POST",
      path: `/v1/projects/${seeded.projectId}/social/oauth-url`,
      body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }),
    },
    { name: "oauth-status", method: "GET", path: `/v1/social/oauth-status/${state}` },
  ];

  const results: PhaseResult[] = [];
  for (const endpoint of endpoints) results.push(await runLoad("app", app, appUrl, endpoint, seeded.token, countStates));
  await stopServer(app);

  // ------------------------------------------------ the baseline
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
  await waitUntilAnswering(baseline, baseUrl);
  await smokeTest("baseline", baseUrl, seeded.projectId, seeded.token, state);
  for (const endpoint of endpoints) results.push(await runLoad("baseline", baseline, baseUrl, endpoint, seeded.token, countStates));
  await stopServer(baseline);

  // ------------------------------------------------ report
  const find = (target: TargetName, endpoint: EndpointName) => results.find((r) => r.target === target && r.endpoint === endpoint)!;
  const comparisons = endpoints.map(({ name }) => {
    const a = find("app", name);
    const b = find("baseline", name);
    return { endpoint: name, app: a, baseline: b, ratio: b.reqPerSec > 0 ? a.reqPerSec / b.reqPerSec : 0 };
  });
  const oauthUrl = comparisons.find((c) => c.endpoint === "oauth-url")!;
  const targets = {
    oauthUrlRatio: { target: `>= ${TARGET_RATIO}`, actual: round(oauthUrl.ratio, 3), met: oauthUrl.ratio >= TARGET_RATIO },
    oauthUrlP99Ms: { target: `<= ${TARGET_P99_MS}`, actual: oauthUrl.app.latencyMs.p99, met: oauthUrl.app.latencyMs.p99 <= TARGET_P99_MS },
  };
  const clean = results.every((r) => r.non2xx + r.errors + r.timeouts === 0);
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
    `Baseline (bench/baseline.ts, ${baselineCmd.how}): node:http + postgres-js (pool 10, ` +
      `${BASELINE_PREPARE ? "named prepared statements, postgres-js's default" : "unnamed statements, as drizzle sends them"}) + ioredis; per request:`,
  );
  for (const line of BASELINE_WORK) log(`  ${line}`);
  log("");
  log(`Target oauth-url app/baseline req/s ${targets.oauthUrlRatio.target}: ${fmt(oauthUrl.ratio, 2)} -> ${targets.oauthUrlRatio.met ? "MET" : "NOT MET"}`);
  log(`Target oauth-url app p99 ${targets.oauthUrlP99Ms.target} ms: ${oauthUrl.app.latencyMs.p99} ms -> ${targets.oauthUrlP99Ms.met ? "MET" : "NOT MET"}`);
  if (!clean) log("WARNING: some requests failed (see the 'failed' column and bench/results/*.stderr.log); the figures are not comparable.");
  log(`Load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")} (a shared machine makes the figures noisy).`);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
      rssSampleMs: RSS_SAMPLE_MS,
      baselinePrepare: BASELINE_PREPARE,
      baselineRun: baselineCmd.how,
      sourcesNewerThanBuild: staleBuild,
    },
    machine: { cpus: cpus().length, totalMemMb: Math.round(totalmem() / 1048576), node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadAfter },
    baselineWork: BASELINE_WORK,
    results,
    comparisons: comparisons.map((c) => ({
      endpoint: c.endpoint,
      ratio: round(c.ratio, 3),
      cpuPerRequestRatio: c.baseline.serverCpuMsPerReq ? round(c.app.serverCpuMsPerReq / c.baseline.serverCpuMsPerReq, 2) : null,
    })),
    targets,
    clean,
  };
  const out = join(RESULTS_DIR, "latest.json");
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`Results written to ${relative(ROOT, out)}`);
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
