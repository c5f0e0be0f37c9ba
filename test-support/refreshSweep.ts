import { eq } from "drizzle-orm";
import { TestClock } from "pg-boss";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { socialAccounts } from "@/db/schema";
import { domainContext } from "@/server/domain/context";
import { runWorkers, type Workers } from "@/server/jobs/workers";
import { assembleServices, type Services } from "@/server/services";
import { freshDatabase } from "./freshDatabase";
import { seedTenant, startTestServices, type Tenant } from "./harness";
import { issuedAccount } from "./issuedAccount";
import { type PlatformHosts, startPlatformHosts } from "./platformHosts";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/**
 * The refresh sweep as the job system runs it, for one test file: pg-boss on
 * a database of its own (PGlite, or PostgreSQL with DATABASE_URL; the sweep
 * acts on every account there is), its timers and its SQL's "now" on one
 * test clock, two instances working the queues, against TikTok's and
 * Instagram's token hosts. Registers the file's hooks; each test's accounts
 * leave with it. The long runs (an hour of five-minute tokens, 150 days of
 * Instagram's) are in files of their own so that they run side by side.
 */
export function useRefreshSweep() {
  const clock = new TestClock("2026-06-01T00:00:00Z");
  let hosts: PlatformHosts;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let services: Services;
  /** A second instance on the same database: its own job system and workers. */
  let second: Services;
  let workers: Workers[];
  let tenant: Tenant;

  beforeAll(async () => {
    hosts = await startPlatformHosts(() => clock.now());
    fresh = await freshDatabase();
    services = await startTestServices({ env: { ...hosts.env, DATABASE_URL: fresh.url, LAYERS_REFRESH_SWEEP: "2s" }, clock });
    second = assembleServices(services.config, services.database, services.limiter, { clock });
    workers = [await runWorkers(services.jobs, domainContext(services)), await runWorkers(second.jobs, domainContext(second))];
    tenant = await seedTenant(services, { mode: "live" });
  }, 120_000);
  beforeEach(() => {
    hosts.refreshes.length = 0;
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.settled()));
    await services.database.db.update(socialAccounts).set({ status: "disconnected", refreshAfter: null });
  });
  afterAll(async () => {
    await second?.jobs.stop();
    await services?.close();
    await hosts?.close();
    await fresh?.drop();
  });

  /** Moves the clock on by `ms` (a jump, then the last 5 s ticked so the sweep and the pollers run) and lets the jobs finish. */
  async function advance(ms: number) {
    await clock.setTime(clock.now() + ms - 5_000);
    for (let i = 0; i < 5; i++) {
      await clock.tick(1_000);
      await Promise.all(workers.map((w) => w.settled()));
    }
  }

  const connect = (platform: "tiktok" | "instagram", lifetimes: { accessTtlS?: number; refreshTtlS?: number; ttlS?: number } = {}) =>
    issuedAccount(domainContext(services), hosts, tenant, platform, lifetimes);

  const row = async (id: string) => (await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)))[0]!;

  return {
    clock,
    get hosts() {
      return hosts;
    },
    /** The domain context of the first instance. */
    ctx: () => domainContext(services),
    advance,
    connect,
    row,
  };
}
