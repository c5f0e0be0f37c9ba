/** The benchmark's knobs (read once from the environment, listed at the top of run.ts) and fixed figures. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const nonNegative = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return value;
};
const count = (name: string, fallback: number, min = 1) => Math.max(min, Math.round(nonNegative(name, fallback)));

export const DURATION_S = Math.max(1, nonNegative("BENCH_DURATION", 15));
/** Full load is measured in this many rounds per endpoint and server, app and baseline taking turns (load.ts). */
export const ROUNDS = count("BENCH_ROUNDS", 3);
export const WARMUP_S = nonNegative("BENCH_WARMUP", 5);
export const CONNECTIONS = count("BENCH_CONNECTIONS", 50);
/** The fixed-rate run: requests per second (paced evenly) and seconds per endpoint and server. */
export const RATE = count("BENCH_RATE", 200);
export const RATE_DURATION_S = Math.max(1, nonNegative("BENCH_RATE_DURATION", 20));
/** Long-poll waiters held open at once, and the seconds they are watched idle (must end well within their wait=30). */
export const WAITERS = count("BENCH_WAITERS", 1000);
export const WAITERS_IDLE_S = Math.min(20, Math.max(1, nonNegative("BENCH_WAITERS_IDLE", 10)));
/** OAuth callbacks measured (after a few unmeasured ones). */
export const CALLBACKS = count("BENCH_CALLBACKS", 200);
export const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL || "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";
export const BASELINE_PREPARE = process.env.BENCH_BASELINE_PREPARE !== "0";
export const REBUILD = process.env.BENCH_BUILD === "1";
export const KEEP_SERVER_LOG = process.env.BENCH_SERVER_LOG === "1";
export const APP_NODE_FLAGS = (process.env.BENCH_APP_NODE_FLAGS ?? "").split(" ").filter(Boolean);
/** Writes a V8 CPU profile of the app server to bench/results/profile/ (summarised by `npx tsx bench/profile.ts`). */
export const PROFILE = process.env.BENCH_PROFILE === "1";
/** Where next.config.ts puts the build, so parallel work can keep separate builds. */
export const DIST_DIR = join(ROOT, process.env.NEXT_DIST_DIR || ".next");

export const RESULTS_DIR = join(ROOT, "bench", "results");
export const NEXT_BIN = join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const RSS_SAMPLE_MS = 200;
export const RETURN_URL = "https://bench.example.com/connect/return";
/** 10,000,000 per minute: the limiter does its Redis round trip but never refuses. */
export const HUGE_BUDGET = "10000000/60s";
/** The second key's budget, for the scale-out check that two instances share one budget. */
export const SMALL_BUDGET = { text: "100/60s", tokens: 100, windowMs: 60_000 } as const;

/** app req/s >= TARGET_RATIO x baseline's, per endpoint. */
export const TARGET_RATIO = 0.8;
/** app p99 <= TARGET_P99_RATIO x baseline's p99, per endpoint (at full load). */
export const TARGET_P99_RATIO = 1.25;
/** Peak RSS of one app instance's process tree, in any phase. */
export const TARGET_RSS_MB = 300;
