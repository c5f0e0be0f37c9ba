import { randomBytes } from "node:crypto";
import { type Database, openDatabase } from "@/db/client";
import { parseEnv } from "@/server/env";
import { type ResolvedConfig, resolveSecrets } from "@/server/secrets";
import { pgliteTemplateFor } from "./pgliteTemplate";

/**
 * A migrated database and a config with fresh secrets, for tests that need
 * the database but not the harness's services (the CLI's run(), the log):
 * the shared PostgreSQL with DATABASE_URL, else an in-memory PGlite.
 */
export async function openTestDatabase(poolSize = 1): Promise<{ config: ResolvedConfig; database: Database }> {
  const config = resolveSecrets(
    parseEnv({
      DATABASE_URL: process.env.DATABASE_URL,
      LAYERS_DATA_DIR: "memory://",
      LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
    }),
  );
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize, loadDataDir: await pgliteTemplateFor(config) });
  await database.migrate();
  return { config, database };
}
