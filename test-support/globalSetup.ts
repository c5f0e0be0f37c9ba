import { openDatabase } from "@/db/client";
import { exportTestTls, makeTestTls } from "./tls";

/**
 * With DATABASE_URL set, the suites share one PostgreSQL: migrate it once
 * here. Without it every test file migrates its own in-memory PGlite. And the
 * https webhook receivers' certificate, trusted by every test process.
 */
export default async function setup() {
  // The test processes, started after this, trust the webhook receivers' certificate.
  exportTestTls(makeTestTls());
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return;
  const database = await openDatabase({ databaseUrl, dataDir: "memory://" });
  await database.migrate();
  await database.close();
}
