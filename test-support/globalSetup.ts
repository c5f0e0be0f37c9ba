import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@/db/client";
import { exportTestTls, makeTestTls } from "./tls";

/**
 * With DATABASE_URL set, the suites share one PostgreSQL: migrate it once
 * here. Without it every test file has an in-memory PGlite of its own, each
 * loaded from one migrated template made here (see pgliteTemplate.ts). And
 * the https webhook receivers' certificate, trusted by every test process.
 */
export default async function setup(project: TestProject) {
  // The test processes, started after this, trust the webhook receivers' certificate.
  exportTestTls(makeTestTls());
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const dir = mkdtempSync(join(tmpdir(), "layers-pglite-"));
    project.provide("pgliteTemplate", await writePgliteTemplate(join(dir, "pgdata.tar")));
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const database = await openDatabase({ databaseUrl, dataDir: "memory://" });
  await database.migrate();
  await database.close();
}

/** Uncompressed: it loads as fast as a gzipped one, and writing it costs nothing. */
async function writePgliteTemplate(path: string): Promise<string> {
  const database = await openDatabase({ dataDir: "memory://" });
  try {
    await database.migrate();
    const tarball = await database.pglite!.dumpDataDir("none");
    writeFileSync(path, Buffer.from(await tarball.arrayBuffer()));
    return path;
  } finally {
    await database.close();
  }
}
