import { mkdirSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { type Database, openDatabase } from "@/db/client";
import { SecretBox } from "./crypto/secretbox";
import { isEmbedded, parseEnv } from "./env";
import { createRateLimiter, type RateLimiter } from "./ratelimit";
import { IN_MEMORY_DATA_DIR, type ResolvedConfig, resolveSecrets } from "./secrets";

/** What every request handler needs, built once per process. */
export interface Services {
  config: ResolvedConfig;
  database: Database;
  limiter: RateLimiter;
  /** Seals platform tokens and PKCE verifiers at rest. */
  box: SecretBox;
  close(): Promise<void>;
}

export class EmbeddedDatabaseBusyError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another process (is \`npm start\` running?). ` +
        "Stop that process and retry, or set DATABASE_URL to use PostgreSQL, which any number of processes can share.",
    );
    this.name = "EmbeddedDatabaseBusyError";
  }
}

/**
 * PGlite has no locking of its own: two processes on one data dir silently
 * lose writes. Whoever opens it holds a lock file for as long as it runs.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, { lockfilePath: join(dataDir, "db.lock"), stale: 10_000, update: 3_000, realpath: false });
  } catch (error) {
    if ((error as { code?: string }).code === "ELOCKED") throw new EmbeddedDatabaseBusyError(dataDir);
    throw error;
  }
}

/**
 * Opens the configured database for this process. The embedded one is locked
 * first (and unlocked on close); an external PostgreSQL needs no lock.
 */
export async function openProcessDatabase(config: ResolvedConfig, opts: { poolSize?: number } = {}): Promise<Database> {
  let unlock = async () => {};
  if (isEmbedded(config) && config.dataDir !== IN_MEMORY_DATA_DIR) {
    mkdirSync(config.dataDir, { recursive: true });
    unlock = await lockDataDir(config.dataDir);
  }
  try {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: opts.poolSize });
    return {
      ...database,
      async close() {
        await database.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

export async function createServices(config: ResolvedConfig, opts: { poolSize?: number } = {}): Promise<Services> {
  const database = await openProcessDatabase(config, opts);
  return assembleServices(config, database, await createRateLimiter(config));
}

/** Services over an already open database and limiter; closing them closes both. */
export function assembleServices(config: ResolvedConfig, database: Database, limiter: RateLimiter): Services {
  return {
    config,
    database,
    limiter,
    box: new SecretBox(config.encryptionKey, config.previousEncryptionKeys),
    async close() {
      await limiter.close();
      await database.close();
    },
  };
}

// Kept on globalThis: Next bundles route handlers and instrumentation
// separately, and `next dev` reloads modules, but the process must hold one
// database (one PGlite, one pool) and one limiter.
const holder = globalThis as unknown as { __layersServices?: Promise<Services> };

/** The process-wide services, created from the environment on first use. */
export function getServices(): Promise<Services> {
  holder.__layersServices ??= createServices(resolveSecrets(parseEnv())).catch((error: unknown) => {
    holder.__layersServices = undefined;
    throw error;
  });
  return holder.__layersServices;
}

/** For tests and tools that build services themselves. */
export function setServices(services: Services | undefined) {
  holder.__layersServices = services && Promise.resolve(services);
}
