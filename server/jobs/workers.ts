/**
 * What a process that runs workers does (`npm start` with LAYERS_WORKER=on,
 * or `npm run worker`): it works every queue, and it ticks the periodic
 * sweeps. A tick is a throttled send, one job per interval slot across all
 * processes, so ten processes ticking still sweep once per interval.
 */
import type { PgBoss } from "pg-boss";
import { RefreshFailedError, refreshAccountTokens } from "../accounts/refresh";
import { sweepDueAccounts } from "../accounts/sweep";
import { endAbandonedAttempts } from "../attempts/lease";
import { dateOf } from "../clock";
import type { DomainContext } from "../domain/context";
import { describeError, log } from "../log";
import { deliverWebhook } from "../webhooks/deliver";
import { ATTEMPTS_SWEEP_MS, QUEUES } from "./queues";
import type { JobSystem } from "./system";

/** Refresh jobs one process runs at once: each mostly waits on the platform. */
const REFRESH_CONCURRENCY = 4;
/** Webhook sends one process runs at once: each waits on a receiver, up to 15 s. */
const WEBHOOK_CONCURRENCY = 8;

export interface Workers {
  /** Resolves once every job handler running now has finished (a test clock's tick does not wait for them). */
  settled(): Promise<void>;
}

/** Works every queue in this process until `jobs.stop()`. */
export async function runWorkers(jobs: JobSystem, ctx: DomainContext): Promise<Workers> {
  const boss = await jobs.start({ work: true });
  const running = new Set<Promise<unknown>>();
  const tracked =
    <A extends unknown[], R>(handler: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const done = handler(...args);
      running.add(done);
      void done.then(
        () => running.delete(done),
        () => running.delete(done),
      );
      return done;
    };
  const enqueueRefresh = (accountIds: string[]) =>
    boss.insert(
      QUEUES.accountRefresh.name,
      accountIds.map((accountId) => ({ data: { accountId }, singletonKey: accountId })),
    ).then(() => undefined);

  await boss.work<{ accountId: string }>(QUEUES.accountRefresh.name, { localConcurrency: REFRESH_CONCURRENCY }, tracked(async ([job]) => {
    const { accountId } = job!.data;
    try {
      const outcome = await refreshAccountTokens(ctx, accountId, { force: false });
      if (outcome?.kind === "refreshed") log.info("account refreshed", { accountId, platform: outcome.account.platform });
      return { outcome: outcome ? (outcome.kind === "unchanged" ? outcome.why : outcome.kind) : "gone" };
    } catch (error) {
      // The job fails and pg-boss retries it with backoff; the account is unchanged meanwhile.
      if (error instanceof RefreshFailedError) log.warn("refresh failed; will retry", { accountId, error: describeError(error.cause) });
      throw error;
    }
  }));
  await boss.work<{ deliveryId: string }>(
    QUEUES.webhookDeliver.name,
    // New deliveries wake the workers at once (the queue notifies); retries due later are found by polling, every 2 s.
    { localConcurrency: WEBHOOK_CONCURRENCY, notifyPollingIntervalSeconds: 2 },
    tracked(async ([job]) => ({ outcome: await deliverWebhook(ctx, job!.data.deliveryId) })),
  );
  await boss.work(QUEUES.refreshSweep.name, tracked(async () => ({ due: await sweepDueAccounts(ctx, enqueueRefresh) })));
  await boss.work(QUEUES.attemptsSweep.name, tracked(async () => ({ ended: await endAbandonedAttempts(ctx, dateOf(ctx.clock)) })));

  const tickers = [tick(boss, ctx, QUEUES.refreshSweep.name, ctx.config.refreshSweepMs), tick(boss, ctx, QUEUES.attemptsSweep.name, ATTEMPTS_SWEEP_MS)];
  jobs.onStop(() => tickers.forEach((ticker) => ctx.clock.clearInterval(ticker)));
  return {
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/** Sends `queue` a job now and every `everyMs`, at most one per `everyMs` slot across all processes. */
function tick(boss: PgBoss, ctx: DomainContext, queue: string, everyMs: number): unknown {
  const seconds = Math.max(1, Math.round(everyMs / 1000));
  let failing = false;
  const send = () =>
    boss.send(queue, {}, { singletonSeconds: seconds }).then(
      () => void (failing = false),
      (error: unknown) => {
        // The database is down: the next tick tries again. Said once per outage.
        if (!failing) log.warn("could not schedule a periodic job", { queue, error: describeError(error) });
        failing = true;
      },
    );
  void send();
  return ctx.clock.setInterval(() => void send(), everyMs);
}
