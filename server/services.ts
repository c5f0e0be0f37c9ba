import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { type Database, openDatabase } from "@/db/client";
import { type AttemptWaiters, createAttemptWaiters } from "./attempts/wait";
import { type Clock, systemClock } from "./clock";
import { SecretBox } from "./crypto/secretbox";
import { isEmbedded, parseEnv } from "./env";
import { createJobSystem, type JobSystem } from "./jobs/system";
import { createRateLimiter, type RateLimiter } from "./ratelimit";
import { IN_MEMORY_DATA_DIR, type ResolvedConfig, resolveSecrets } from "./secrets";

/** What every request handler needs, built once per process. */
export interface Services {
  config: ResolvedConfig;
  database: Database;
  limiter: RateLimiter;
  /** Seals platform tokens and PKCE verifiers at rest. */
  box: SecretBox;
  /** Time and timers (a test clock in tests). */
  clock: Clock;
  /** The job queues on the same database (started by whoever uses them). */
  jobs: JobSystem;
  /** Requests waiting for attempts to end, and this process's one LISTEN that wakes them. */
  attemptWaiters: AttemptWaiters;
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
 * The lock file is touched every 3 s; when that fails (the data dir was
 * deleted under the server, or someone else took the lock) `onLost` is told.
 */
async function lockDataDir(dataDir: string, onLost: (message: string) => void): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, "db.lock"),
      stale: 10_000,
      update: 3_000,
      realpath: false,
      onCompromised: (error) => onLost(dataDirLostMessage(dataDir, error)),
    });
  } catch (error) {
    if ((error as { code?: string }).code === "ELOCKED") throw new EmbeddedDatabaseBusyError(dataDir);
    throw error;
  }
}

export function dataDirLostMessage(dataDir: string, error: unknown): string {
  // ENOENT: the lock file is gone with its directory (the embedded database may already have recreated parts of
  // it). proper-lockfile replaces the error's code with ECOMPROMISED, so the message is what still says so.
  if (/\bENOENT\b/.test((error as Error)?.message ?? "") || !existsSync(dataDir)) {
    return `The embedded data directory ${dataDir} was removed while the server was running; stopping. Restart npm start to create a new one.`;
  }
  return `The lock on the embedded data directory ${dataDir} was lost (${(error as Error)?.message ?? String(error)}); stopping so no other process's writes are lost. Restart npm start.`;
}

/**
 * Without its data dir the embedded database can only answer 500s: stop
 * with one clear line instead. (The default of proper-lockfile throws from a
 * timer, which prints a stack trace and says nothing of the cause.)
 */
function stopProcess(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * Opens the configured database for this process. The embedded one is locked
 * first (and unlocked on close); an external PostgreSQL needs no lock.
 */
export async function openProcessDatabase(
  config: ResolvedConfig,
  opts: { poolSize?: number; onDataDirLost?: (message: string) => void } = {},
): Promise<Database> {
  let unlock = async () => {};
  if (isEmbedded(config) && config.dataDir !== IN_MEMORY_DATA_DIR) {
    mkdirSync(config.dataDir, { recursive: true });
    const release = await lockDataDir(config.dataDir, opts.onDataDirLost ?? stopProcess);
    // Releasing a lock that was lost (the dir is gone) fails; there is nothing left to release.
    unlock = () => release().catch(() => {});
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
export function assembleServices(
  config: ResolvedConfig,
  database: Database,
  limiter: RateLimiter,
  opts: { clock?: Clock; jobsSchema?: string } = {},
): Services {
  const clock = opts.clock ?? systemClock;
  const jobs = createJobSystem(database, config.databaseUrl, { clock, schema: opts.jobsSchema });
  const attemptWaiters = createAttemptWaiters(database);
  return {
    config,
    database,
    limiter,
    box: new SecretBox(config.encryptionKey, config.previousEncryptionKeys),
    clock,
    jobs,
    attemptWaiters,
    async close() {
      await jobs.stop();
      await attemptWaiters.close();
      await limiter.close();
      await database.close();
    },
  };
}

// Kept on globalThis: Next bundles route handlers and instrumentation
// separately, and `next dev` reloads modules, but the process must hold one
// database (one PGlite, one pool) and one limiter.
const holder = globalThis as unknown as { __layersServices?: Promise<Services>; __layersServicesInjected?: boolean };

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
  holder.__layersServicesInjected = services !== undefined;
}

/**
 * Whether this process's services were made by its host (a test harness
 * running Next's router in-process, a tool) rather than from the
 * environment: the host then owns migrations, seeding and background jobs,
 * and Next's start hook (instrumentation.ts) leaves them alone.
 */
export function servicesInjected(): boolean {
  return holder.__layersServicesInjected === true;
}
