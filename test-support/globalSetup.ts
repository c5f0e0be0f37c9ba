import { openDatabase } from "@/db/client";

/**
 * With DATABASE_URL set, the suites share one PostgreSQL: migrate it once
 * here. Without it every test file migrates its own in-memory PGlite.
 */
export default async function setup() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return;
  const database = await openDatabase({ databaseUrl, dataDir: "memory://" });
  await database.migrate();
  await database.close();
}
