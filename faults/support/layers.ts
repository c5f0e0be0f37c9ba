/**
 * Layers instances for the fault suite: seeded with ladmin on the suite's
 * own PostgreSQL, served by `npm start` (the node:http front) or bare
 * `next start` (proxy.ts), with live TikTok pointed at the stub so an
 * exchange can be held open while the server is killed.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { cleanEnv, freePort, freshDataDir, npmStart, Proc } from "../../e2e/support/processes";
import { test } from "@playwright/test";
import { type LiveTikTok, liveTikTokEnv, startLiveTikTok } from "../../test-support/liveTikTok";
import { type Postgres, type Redis, startPostgres, startRedis } from "./cluster";

/** Where every attempt returns to: on the keys' allowlist, never followed (the tests read the Location). */
export const RETURN_URL = "http://127.0.0.1:9/return";

export interface Seeded {
  env: Record<string, string | undefined>;
  orgId: string;
  projectId: string;
  /** Test-mode key for the steady load (budgets far above what the load sends). */
  testKey: string;
  /** Live-mode key: its attempts exchange codes at the TikTok stub. */
  liveKey: string;
  /** A live key with a 100/60s write budget, for counting what a shared limiter lets through. */
  budgetKey: string;
  sql: postgres.Sql;
}

const ladmin = (env: Seeded["env"], args: string[]) =>
  JSON.parse(execFileSync(process.execPath, ["bin/ladmin.mjs", ...args, "--json"], { env: env as NodeJS.ProcessEnv, encoding: "utf8" }));

/** A fresh database on `pg`, migrated and seeded by ladmin: one organization, one project, three keys. */
export async function seed(pg: Postgres, redis: Redis, tiktok: LiveTikTok): Promise<Seeded> {
  const databaseUrl = await pg.createDatabase(`layers_faults_${randomBytes(4).toString("hex")}`);
  const env = cleanEnv({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    LAYERS_DATA_DIR: freshDataDir(),
    LAYERS_WRITE_LIMIT: "1000000/60s",
    LAYERS_READ_LIMIT: "1000000/60s",
    ...liveTikTokEnv(tiktok),
  });
  const org = ladmin(env, ["orgs", "create", "--name", "Fault organization"]);
  const project = ladmin(env, ["projects", "create", "--org", org.id, "--name", "Fault project"]);
  const key = (name: string, mode: string, extra: string[] = []) =>
    ladmin(env, ["keys", "create", "--org", org.id, "--name", name, "--scopes", "social:write,social:read", "--mode", mode, "--allow", RETURN_URL, ...extra]).key as string;
  return {
    env,
    orgId: org.id,
    projectId: project.id,
    testKey: key("load", "test"),
    liveKey: key("live", "live"),
    budgetKey: key("budget", "live", ["--write-limit", "100/60s"]),
    sql: postgres(databaseUrl, { max: 2, onnotice: () => {} }),
  };
}

export interface Server {
  url: string;
  kind: "npm start" | "next start";
  proc: Proc;
  /** kill -9 of the whole process group: no handler runs, no connection is closed cleanly. */
  kill9(): Promise<void>;
  /** The same server again, same port and environment. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Serves `seeded`'s database: `npm start` (the front) or bare `next start`. */
export async function serve(seeded: Seeded, kind: Server["kind"] = "npm start", extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...seeded.env, ...extraEnv, PORT: String(port), LAYERS_PUBLIC_URL: url };
  const launch = async () => {
    if (kind === "npm start") {
      const proc = npmStart(env);
      await proc.waitFor(/Console:/);
      return proc;
    }
    const proc = new Proc(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], { ...env, NODE_ENV: "production" }, { name: "next start" });
    await proc.waitUntilAnswering(url);
    return proc;
  };
  const server: Server = {
    url,
    kind,
    proc: await launch(),
    async kill9() {
      try {
        process.kill(-server.proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
      await server.proc.exited;
    },
    async restart() {
      server.proc = await launch();
    },
    stop: () => server.proc.stop(),
  };
  return server;
}

/** The Bearer header and JSON content type for `key`. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

/** POST oauth-url for TikTok with `key`; the state and the callback a consenting TikTok would send (`code` names the user). */
export async function openAttempt(server: Server, seeded: Seeded, key: string, user: string) {
  const res = await fetch(`${server.url}/v1/projects/${seeded.projectId}/social/oauth-url`, {
    method: "POST",
    headers: bearer(key),
    body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }),
  });
  if (res.status !== 200) throw new Error(`oauth-url answered ${res.status}: ${await res.text()}`);
  const { state } = (await res.json()) as { state: string };
  return { state, callbackPath: `/v1/social/oauth/callback/tiktok?code=${encodeURIComponent(`${user}:${user}`)}&state=${state}` };
}

/** The callback as the browser sends it: the answer's status and Location, or the network error. */
export async function callback(server: Server, path: string): Promise<{ status: number; location: string | null; contentType: string | null; retryAfter: string | null }> {
  const res = await fetch(server.url + path, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get("location"), contentType: res.headers.get("content-type"), retryAfter: res.headers.get("retry-after") };
}

/** What a Location sends the browser back with: its error code, or null for a completed connection. */
export function outcomeOf(location: string | null): string {
  if (!location?.startsWith(RETURN_URL)) return `not the returnUrl: ${location}`;
  return new URL(location).searchParams.get("layers_oauth_error") ?? "connected";
}

/** Each state's status in the database, counted. */
export async function statusCounts(sql: postgres.Sql, states: string[]): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from oauth_states where id = any(${states}) group by status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export interface Cluster {
  pg: Postgres;
  redis: Redis;
  tiktok: LiveTikTok;
  seeded: Seeded;
}

/**
 * A spec file's own PostgreSQL, Redis, TikTok stub and seeded database, made
 * before its tests and destroyed after them (call at the top of the file).
 */
export function useCluster(): Cluster {
  const cluster = {} as Cluster;
  test.beforeAll(async () => {
    [cluster.pg, cluster.redis, cluster.tiktok] = await Promise.all([startPostgres(), startRedis(), startLiveTikTok()]);
    cluster.seeded = await seed(cluster.pg, cluster.redis, cluster.tiktok);
  });
  test.afterAll(async () => {
    await cluster.seeded?.sql.end({ timeout: 1 });
    await Promise.all([cluster.pg?.destroy(), cluster.redis?.destroy(), cluster.tiktok?.close()]);
  });
  return cluster;
}

/** useCluster, plus one `npm start` serving its database for the whole file (with `env` added to the seed's). */
export function useServedCluster(env: Record<string, string> = {}): Cluster & { server: Server } {
  const served = useCluster() as Cluster & { server: Server };
  test.beforeAll(async () => {
    served.server = await serve(served.seeded, "npm start", env);
  });
  // A failed test shows what the server logged as an error (an answer's cause is in the log, not the body).
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status === testInfo.expectedStatus || !served.server) return;
    const errors = served.server.proc.output.split("\n").filter((line) => line.includes('"level":"error"'));
    const unhandled = errors.filter((line) => line.includes('"msg":"unhandled error"'));
    const body = [...unhandled.slice(0, 20), ...errors.filter((line) => !unhandled.includes(line)).slice(-20)].join("\n");
    await testInfo.attach("server errors", { body: body || "(none)", contentType: "text/plain" });
  });
  test.afterAll(async () => served.server?.stop());
  return served;
}
