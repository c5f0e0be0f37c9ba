/** What the measured servers stand on: a throwaway database seeded through the domain, Redis, a current build, the baseline's command. */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { log } from "./format";
import { ADMIN_URL, DIST_DIR, HUGE_BUDGET, NEXT_BIN, REBUILD, REDIS_URL, RESULTS_DIR, RETURN_URL, ROOT, SMALL_BUDGET } from "./settings";

const admin = () => postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });

export async function createBenchDatabase() {
  const name = `layers_bench_${randomBytes(5).toString("hex")}`;
  const sql = admin();
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropBenchDatabase(name: string) {
  const sql = admin();
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function pingRedis() {
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

/** Migrates and seeds through the domain functions, as ladmin would, under the servers' own secrets. */
export async function seed(env: { DATABASE_URL: string; LAYERS_ENCRYPTION_KEY: string; AUTH_SECRET: string }) {
  // Imported here: openDatabase() finds the migrations under the working directory, which run.ts sets first.
  const { openDatabase } = await import("@/db/client");
  const { SecretBox } = await import("@/server/crypto/secretbox");
  const { operatorScope, orgScope } = await import("@/server/domain/scope");
  const { parseEnv } = await import("@/server/env");
  const { createApiKey } = await import("@/server/keys/service");
  const { createOrganization } = await import("@/server/orgs/service");
  const { createProject } = await import("@/server/projects/service");
  const { resolveSecrets } = await import("@/server/secrets");
  const { systemClock } = await import("@/server/clock");
  const { createJobSystem } = await import("@/server/jobs/system");
  const { createAttemptWaiters } = await import("@/server/attempts/wait");
  const config = resolveSecrets(parseEnv(env));
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: config.dataDir, poolSize: 2 });
  try {
    await database.migrate();
    const ctx = { db: database.db, box: new SecretBox(config.encryptionKey), config, clock: systemClock, jobs: createJobSystem(database, env.DATABASE_URL, { clock: systemClock }),
      waiters: createAttemptWaiters(database),
    };
    const actor = { type: "system" } as const;
    const org = await createOrganization(ctx, operatorScope(actor), { name: "Bench organization" });
    const scope = orgScope(org.id, actor);
    const project = await createProject(ctx, scope, { name: "Bench project" });
    // A test key: TikTok then goes to this instance's sandbox, so no platform credentials are needed.
    const key = await createApiKey(ctx, scope, {
      name: "Bench key",
      mode: "test",
      scopes: ["social:write", "social:read"],
      allow: [RETURN_URL],
      writeLimit: HUGE_BUDGET,
      readLimit: HUGE_BUDGET,
    });
    // A key with a small budget: two instances together must grant exactly this many (scaleOut.ts).
    const small = await createApiKey(ctx, scope, {
      name: "Bench small-budget key",
      mode: "test",
      scopes: ["social:write", "social:read"],
      allow: [RETURN_URL],
      writeLimit: SMALL_BUDGET.text,
      readLimit: SMALL_BUDGET.text,
    });
    return { orgId: org.id, projectId: project.id, keyId: key.id, token: key.key, smallKeyId: small.id, smallToken: small.key };
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

/** Builds into NEXT_DIST_DIR (default .next) when there is no build; returns the sources newer than the build it benchmarks. */
export function ensureBuild(): string[] {
  const buildId = join(DIST_DIR, "BUILD_ID");
  if (!existsSync(buildId) || REBUILD) {
    log(`Building with \`next build\` into ${relative(ROOT, DIST_DIR)} (about a minute)...`);
    const result = spawnSync(process.execPath, [NEXT_BIN, "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
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
export async function baselineCommand(): Promise<{ args: string[]; how: string }> {
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
export function serverEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(DATABASE_URL|REDIS_URL|PORT|AUTH_SECRET|UPSTASH_|LAYERS_|TIKTOK_|INSTAGRAM_|BENCH_|BASELINE_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}
