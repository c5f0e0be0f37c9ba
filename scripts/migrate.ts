/** `npm run db:migrate`: apply pending migrations and nothing else. */
import "@/server/runtime/requireNode";
import { configOrExit } from "@/server/cli/config";
import { EmbeddedDatabaseBusyError, openProcessDatabase } from "@/server/services";

// Migrations seal nothing: with DATABASE_URL they run without LAYERS_ENCRYPTION_KEY and AUTH_SECRET.
const config = configOrExit({ secrets: "when-read" });
try {
  const database = await openProcessDatabase(config);
  await database.migrate();
  await database.close();
  process.stdout.write(`Migrations applied (${database.kind}).\n`);
} catch (error) {
  if (error instanceof EmbeddedDatabaseBusyError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
