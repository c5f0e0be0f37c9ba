/**
 * The job system as the console's operations page shows it: which processes
 * work the queues, how full each queue is, when the next token-refresh sweep
 * is due, and, for the organization and mode on screen, how many accounts a
 * sweep would refresh now and how many only their end-customer can fix.
 */
import { and, count, eq, isNotNull, lte } from "drizzle-orm";
import type { Instance, PgBoss } from "pg-boss";
import { socialAccounts } from "@/db/schema";
import { dateOf } from "../clock";
import type { DomainContext } from "../domain/context";
import { inMode, type ModeScope } from "../domain/scope";
import { QUEUES } from "./queues";

export async function jobsStatus(ctx: DomainContext, scope: ModeScope) {
  const boss = await ctx.jobs.start({ work: false });
  const now = ctx.clock.now();
  const [instances, queues, accounts] = await Promise.all([boss.getInstances(), Promise.all(Object.values(QUEUES).map((queue) => queueCounts(boss, queue.name))), accountHealth(ctx, scope)]);
  const processes = instances.filter((instance) => instance.live).map(describeProcess);
  const workersLive = processes.some((process) => process.runsWorkers);
  return {
    processes,
    workersLive,
    queues,
    sweep: {
      intervalMs: ctx.config.refreshSweepMs,
      // Nothing sweeps without a worker: then there is no time to promise.
      nextDueAt: workersLive ? new Date(nextSweepSlot(ctx.config.refreshSweepMs, now)).toISOString() : null,
    },
    accounts,
  };
}

export type JobsStatus = Awaited<ReturnType<typeof jobsStatus>>;

/**
 * When the next sweep is due: workers send it throttled to one per interval
 * slot counted from the epoch, in whole seconds as pg-boss's singletonSeconds
 * counts them (server/jobs/workers.ts), so a new slot's first tick sends it.
 */
export function nextSweepSlot(intervalMs: number, now: number): number {
  const slotMs = Math.max(1, Math.round(intervalMs / 1000)) * 1000;
  return (Math.floor(now / slotMs) + 1) * slotMs;
}

/**
 * A process registered in pg-boss's instance registry. One that supervises
 * runs workers: only those maintain the queues (server/jobs/system.ts), and
 * that is known from its first registration, whereas its list of workers
 * only arrives with its first heartbeat.
 */
function describeProcess(instance: Instance) {
  return {
    id: instance.id,
    name: instance.name,
    host: instance.host,
    pid: instance.pid,
    startedAt: new Date(instance.startedOn).toISOString(),
    lastHeartbeatAt: new Date(instance.heartbeatOn).toISOString(),
    runsWorkers: instance.supervise || instance.workers.length > 0,
    queues: [...new Set(instance.workers.map((worker) => worker.queue))].sort(),
  };
}

/**
 * A queue's counts, at most a minute old. The counts getQueues() reports are
 * the ones a supervising process last stored, which never change while no
 * worker runs; a forced reading recounts the job table unless someone counted
 * it in the last minute.
 */
async function queueCounts(boss: PgBoss, name: string) {
  const [stats] = await boss.getQueueStats(name, { force: true });
  return {
    name,
    queued: stats?.queuedCount ?? 0,
    deferred: stats?.deferredCount ?? 0,
    active: stats?.activeCount ?? 0,
    failed: stats?.failedCount ?? 0,
    countedAt: stats ? new Date(stats.capturedOn).toISOString() : null,
  };
}

/** The scope's accounts the sweep would refresh now, and those that need the end-customer to connect again. */
async function accountHealth(ctx: DomainContext, scope: ModeScope) {
  const tenant = and(eq(socialAccounts.orgId, scope.orgId), inMode(scope, socialAccounts.livemode));
  const [[due], [needsReauth]] = await Promise.all([
    ctx.db
      .select({ n: count() })
      .from(socialAccounts)
      .where(and(tenant, eq(socialAccounts.status, "active"), isNotNull(socialAccounts.refreshAfter), lte(socialAccounts.refreshAfter, dateOf(ctx.clock)))),
    ctx.db
      .select({ n: count() })
      .from(socialAccounts)
      .where(and(tenant, eq(socialAccounts.status, "needs_reauth"))),
  ]);
  return { dueForRefresh: Number(due?.n ?? 0), needsReauth: Number(needsReauth?.n ?? 0) };
}
