import { openDatabase } from "@/db/client";
import { createAttemptWaiters } from "@/server/attempts/wait";
import { createRateLimiter } from "@/server/ratelimit";
import { assembleServices, type Services } from "@/server/services";

/**
 * Another server instance on the test's database, as a second replica would
 * be: with DATABASE_URL its own pool, limiter and LISTEN connection. PGlite
 * can be held by one process only, so there it shares the database object
 * and gets only waiters (and a listener) of its own. Not made global: the
 * test servers keep serving the first instance.
 */
export async function secondInstance(first: Services): Promise<Services> {
  if (!first.config.databaseUrl) {
    const attemptWaiters = createAttemptWaiters(first.database);
    return { ...first, attemptWaiters, close: () => attemptWaiters.close() };
  }
  const database = await openDatabase({ databaseUrl: first.config.databaseUrl, dataDir: first.config.dataDir, poolSize: 2 });
  return assembleServices(first.config, database, await createRateLimiter(first.config), { clock: first.clock });
}
