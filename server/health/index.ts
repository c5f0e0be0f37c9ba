import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { MIGRATIONS_FOLDER } from "@/db/client";
import type { Services } from "../services";

export type RedisHealth = "ok" | "down" | "not_configured";
export type DatabaseHealth = "ok" | "down" | "migrations_pending";

export interface Readiness {
  status: "ready" | "not_ready";
  database: DatabaseHealth;
  redis: RedisHealth;
}

/** The newest migration the code ships (drizzle's journal), as drizzle records it: its `when`. */
export function latestMigrationMillis(folder = MIGRATIONS_FOLDER): number {
  const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
  return Math.max(0, ...journal.entries.map((entry) => entry.when));
}

/**
 * drizzle's migrator applies every journal entry newer than the newest
 * `created_at` in drizzle.__drizzle_migrations (same table and schema with
 * PGlite and postgres-js), so the schema is current iff that row is at least
 * the journal's newest entry.
 */
async function databaseHealth(database: Services["database"], latest: number): Promise<DatabaseHealth> {
  try {
    const result = await database.db.execute(sql`select max(created_at)::text as applied from drizzle.__drizzle_migrations`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { applied: string | null }[];
    const applied = Number(rows[0]?.applied ?? 0);
    return applied >= latest ? "ok" : "migrations_pending";
  } catch (error) {
    // No migrations table yet means none applied; anything else is an unreachable database.
    return (error as { code?: string; cause?: { code?: string } }).code === "42P01" ||
      (error as { cause?: { code?: string } }).cause?.code === "42P01"
      ? "migrations_pending"
      : "down";
  }
}

/** Redis is reported, not required: the limiter fails open without it. */
async function redisHealth(limiter: Services["limiter"]): Promise<RedisHealth> {
  if (limiter.backend === "memory") return "not_configured";
  try {
    // A strict charge of zero tokens is a round trip that counts nothing.
    await limiter.charge("health:probe", { tokens: 1, windowMs: 1000, text: "1/1s" }, 0);
    return "ok";
  } catch {
    return "down";
  }
}

export async function readiness(services: Pick<Services, "database" | "limiter">, latest = latestMigrationMillis()): Promise<Readiness> {
  const [database, redis] = await Promise.all([databaseHealth(services.database, latest), redisHealth(services.limiter)]);
  return { status: database === "ok" ? "ready" : "not_ready", database, redis };
}

/** When the services themselves cannot be built (the database refused at start). */
export const UNAVAILABLE_READINESS: Readiness = { status: "not_ready", database: "down", redis: "down" };
