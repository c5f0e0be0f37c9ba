import { openAsBlob } from "node:fs";
import { inject } from "vitest";
import { type Database, openDatabase } from "@/db/client";

declare module "vitest" {
  export interface ProvidedContext {
    /** The embedded run's migrated PGlite data directory (a tarball), made by the global setup. */
    pgliteTemplate?: string;
  }
}

/**
 * The template for a database a test is about to open, if it is an
 * in-memory PGlite and this run has one: loading it instead of running
 * initdb saves seconds of CPU per test file. Callers still migrate: a no-op
 * on the template (drizzle finds every migration recorded), and the database
 * catches up should the template ever be older than the migrations.
 */
export async function pgliteTemplateFor(target: { databaseUrl?: string; dataDir: string }): Promise<Blob | undefined> {
  if (target.databaseUrl || target.dataDir !== "memory://") return undefined;
  const path = inject("pgliteTemplate");
  // Read from the file as PGlite unpacks it: faster than a Blob over a Buffer of it.
  return path ? openAsBlob(path, { type: "application/x-tar" }) : undefined;
}

/** An empty, migrated in-memory PGlite of the caller's own (from the run's template when it has one). */
export async function openFreshPglite(): Promise<Database> {
  const database = await openDatabase({ dataDir: "memory://", loadDataDir: await pgliteTemplateFor({ dataDir: "memory://" }) });
  await database.migrate();
  return database;
}
