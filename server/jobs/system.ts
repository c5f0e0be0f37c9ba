/**
 * The job system: pg-boss on the database the product already has
 * (PostgreSQL, or the embedded PGlite through pg-boss's own adapter). Jobs are
 * rows, so they survive restarts and crashes; a job a dead worker held is
 * taken up again when its expiry passes; failed jobs are retried with
 * backoff; any number of processes may work the queues (SKIP LOCKED).
 *
 * pg-boss over graphile-worker: pg-boss runs on PGlite (the embedded mode
 * has no other database), and it brings what this product needs without
 * code of ours: per-key singleton queues (one refresh job per account),
 * throttled sends (one sweep per interval however many processes tick),
 * an instance registry (which processes are working), and a test clock
 * that moves its timers and its SQL's "now" together.
 */
import { fromPglite, PgBoss } from "pg-boss";
import type { Database } from "@/db/client";
import type { Clock } from "../clock";
import { describeError, log } from "../log";
import { QUEUES } from "./queues";

/** Where pg-boss keeps its tables, beside ours. Tests that share one PostgreSQL give each file its own. */
export const JOBS_SCHEMA = "pgboss";

export interface JobSystemOptions {
  clock: Clock;
  schema?: string;
  /** Names this process in pg-boss's instance registry (`web`, `worker`). */
  instanceName?: string;
}

export interface JobSystem {
  readonly boss: PgBoss;
  readonly schema: string;
  /**
   * Installs or upgrades pg-boss's tables and the queues, once per process.
   * `work`: this process also maintains the queues (expiry, retention), which
   * only processes that run workers do.
   */
  start(opts: { work: boolean }): Promise<PgBoss>;
  /** Runs `fn` first when the system stops (workers clear their tickers). */
  onStop(fn: () => void): void;
  stop(): Promise<void>;
}

export function createJobSystem(database: Database, databaseUrl: string | undefined, opts: JobSystemOptions): JobSystem {
  const schema = opts.schema ?? JOBS_SCHEMA;
  let started: Promise<PgBoss> | undefined;
  let boss: PgBoss | undefined;
  const stopping: Array<() => void> = [];
  const make = (work: boolean) => {
    const common = {
      schema,
      clock: opts.clock as never,
      instanceName: opts.instanceName ?? (work ? "worker" : "web"),
      // Maintenance (expiring jobs a dead worker held, deleting old ones) where workers run; the cron
      // scheduler is not used: intervals shorter than a minute (LAYERS_REFRESH_SWEEP=2s) are throttled sends.
      supervise: work,
      schedule: false,
      // Workers of queues sent with `notify` (webhook deliveries) wake at once instead of at their next poll.
      useListenNotify: true,
    };
    if (database.pglite) return new PgBoss({ db: fromPglite(database.pglite), backend: "pglite", ...common });
    if (!databaseUrl) throw new Error("the job system needs DATABASE_URL or the embedded database");
    // A pool of its own (pg, as pg-boss ships it): it holds a LISTEN connection and its own transactions.
    return new PgBoss({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 2_000, application_name: "layers-jobs", ...common });
  };
  return {
    schema,
    get boss() {
      if (!boss) throw new Error("the job system has not been started");
      return boss;
    },
    start({ work }) {
      started ??= (async () => {
        boss = make(work);
        boss.on("error", reportError);
        await boss.start();
        for (const queue of Object.values(QUEUES)) await boss.createQueue(queue.name, queue.options);
        return boss;
      })().catch((error: unknown) => {
        started = undefined;
        throw error;
      });
      return started;
    },
    onStop(fn) {
      stopping.push(fn);
    },
    async stop() {
      for (const fn of stopping.splice(0)) fn();
      if (!started) return;
      const running = await started.catch(() => undefined);
      started = undefined;
      await running?.stop({ graceful: true, timeout: 10_000, close: true });
    },
  };
}

// pg-boss reports every failed poll; in a database outage that is one per poll per queue. One line per
// kind of failure a minute is enough to see it.
const lastReported = new Map<string, number>();
function reportError(error: unknown) {
  const key = describeError(error).slice(0, 80);
  const now = Date.now();
  if ((lastReported.get(key) ?? 0) > now - 60_000) return;
  lastReported.set(key, now);
  log.error("job system", { error: describeError(error) });
}
