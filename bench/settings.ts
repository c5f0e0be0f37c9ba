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

export const DURATION_S = Math.max(1, nonNegative("BENCH_DURATION", 10));
export const WARMUP_S = nonNegative("BENCH_WARMUP", 2);
export const CONNECTIONS = Math.max(1, Math.round(nonNegative("BENCH_CONNECTIONS", 50)));
export const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL || "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";
export const BASELINE_PREPARE = process.env.BENCH_BASELINE_PREPARE !== "0";
export const REBUILD = process.env.BENCH_BUILD === "1";
export const KEEP_SERVER_LOG = process.env.BENCH_SERVER_LOG === "1";
/** Where next.config.ts puts the build, so parallel work can keep separate builds. */
export const DIST_DIR = join(ROOT, process.env.NEXT_DIST_DIR || ".next");

export const RESULTS_DIR = join(ROOT, "bench", "results");
export const NEXT_BIN = join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const RSS_SAMPLE_MS = 200;
export const RETURN_URL = "https://bench.example.com/connect/return";
/** 10,000,000 per minute: the limiter does its Redis round trip but never refuses. */
export const HUGE_BUDGET = "10000000/60s";

export const TARGET_RATIO = 0.8;
export const TARGET_P99_MS = 30;
