import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The common face of the PGlite and postgres-js drivers; all code uses this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Either the database or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** The embedded database's own client (the job system speaks to it directly); absent for PostgreSQL. */
  pglite?: PGlite;
  migrate(): Promise<void>;
  /**
   * Calls `onPayload` with each NOTIFY on `channel`, on a connection of its
   * own (never one of the request pool's), until `close`. PostgreSQL drops a
   * notification sent while that connection is down, so after it has been
   * re-established `onResubscribed` says that some may have been missed.
   */
  listen(channel: string, onPayload: (payload: string) => void, onResubscribed?: () => void): Promise<Subscription>;
  close(): Promise<void>;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * Pool settings for serving requests: in an outage a request must fail (and
 * be answered 503) within about 2 s rather than hang, and connections broken
 * by a PostgreSQL restart must leave the pool instead of failing later
 * requests. Migrations use a connection of their own without these limits.
 */
export const REQUEST_POOL = {
  // Seconds before reconnecting after a failed connection. postgres-js's default grows to 20 s over an
  // outage and a query waits it out: requests hung 10–28 s, and recovery came seconds after PostgreSQL did.
  backoff: (retries: number) => Math.min(0.05 * retries, 0.25),
  // Seconds to establish a connection; on a LAN a healthy server answers in milliseconds.
  connect_timeout: 1,
  // Idle connections are closed (and reopened on demand), so one a restart broke silently is not kept for long.
  idle_timeout: 20,
  // Seconds; every connection is renewed now and then, so none outlives a failover.
  max_lifetime: 30 * 60,
  // Server-side bound on one statement (ms): a lock wait or a runaway query ends instead of holding a request and a connection.
  connection: { statement_timeout: 5_000 },
} as const;

export const MIGRATIONS_FOLDER = resolve(process.cwd(), "drizzle");

/**
 * postgres-js when a URL is given, otherwise PGlite in `dataDir`
 * ("memory://" keeps it in memory, for tests). Same schema, same migrations.
 * `loadDataDir`: a new PGlite starts from this data directory (a
 * `dumpDataDir()` tarball) instead of running initdb, which is most of the
 * cost of opening one: each test process loads one migrated template.
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; poolSize?: number; loadDataDir?: Blob }): Promise<Database> {
  if (opts.databaseUrl) {
    const sql = postgres(opts.databaseUrl, { max: opts.poolSize ?? 10, ...REQUEST_POOL, onnotice: () => {} });
    const db = drizzlePostgres(sql, { schema }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      migrate: () => migratePostgresLocked(opts.databaseUrl!),
      listen: (channel, onPayload, onResubscribed) => listenPostgres(opts.databaseUrl!, channel, onPayload, onResubscribed),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dataDir = opts.dataDir === "memory://" ? undefined : resolve(opts.dataDir, "pglite");
  // PGlite does not create parent directories.
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir, loadDataDir: opts.loadDataDir });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    pglite: client,
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    // In-process: no connection to lose, so nothing is ever missed.
    listen: async (channel, onPayload) => {
      const unlisten = await client.listen(channel, onPayload);
      return { close: () => unlisten() };
    },
    close: () => client.close(),
  };
}

/**
 * A client of its own for one LISTEN: postgres-js gives `listen` a dedicated
 * connection and re-issues LISTEN whenever it reconnects, calling `onlisten`
 * each time. Owning the client means a LISTEN that failed (the database was
 * down) leaves nothing behind: ending the client drops it and its connection.
 */
async function listenPostgres(url: string, channel: string, onPayload: (payload: string) => void, onResubscribed?: () => void): Promise<Subscription> {
  // Named, so the listening connection is told apart from the pool's in pg_stat_activity.
  const sql = postgres(url, { ...REQUEST_POOL, max: 1, onnotice: () => {}, connection: { ...REQUEST_POOL.connection, application_name: LISTEN_APPLICATION_NAME } });
  let subscribed = false;
  try {
    await sql.listen(channel, onPayload, () => {
      if (subscribed) onResubscribed?.();
      subscribed = true;
    });
    // Ending the client closes the listening connection, and its LISTEN with it.
    return { close: () => sql.end({ timeout: 1 }) };
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
}

const LISTEN_APPLICATION_NAME = "layers-listen";

/**
 * Several processes (test workers, replicas) may start at once; an advisory
 * lock on one dedicated connection makes them migrate one after another.
 */
async function migratePostgresLocked(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(727274)`;
    await migratePostgres(drizzlePostgres(sql), { migrationsFolder: MIGRATIONS_FOLDER });
    await sql`select pg_advisory_unlock(727274)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
