import type { Queryable } from "@/db/client";
import type { AttemptWaiters } from "../attempts/wait";
import type { Clock } from "../clock";
import type { JobSystem } from "../jobs/system";
import type { SecretBox } from "../crypto/secretbox";
import type { ResolvedConfig } from "../secrets";
import type { Services } from "../services";

/**
 * The first argument of every domain function. One object instead of
 * `(db, box, config)` in varying order, so a call inside a transaction is the
 * same call with `db` swapped for the transaction (see `inTransaction`).
 */
export interface DomainContext {
  /** The database, or the transaction the call belongs to. */
  db: Queryable;
  /** Seals platform tokens and PKCE verifiers at rest. */
  box: SecretBox;
  config: ResolvedConfig;
  /** What "now" is for lifetimes, leases and schedules (a test clock in tests). */
  clock: Clock;
  /**
   * The job queues, for work sent in the same transaction as the change it
   * follows (a webhook delivery). Started by whoever runs the process.
   */
  jobs: JobSystem;
  /** This process's waiters for attempts to end (long-polls, replayed callbacks, the hosted return page). */
  waiters: AttemptWaiters;
}

export function domainContext(services: Pick<Services, "database" | "box" | "config" | "clock" | "jobs" | "attemptWaiters">): DomainContext {
  return { db: services.database.db, box: services.box, config: services.config, clock: services.clock, jobs: services.jobs, waiters: services.attemptWaiters };
}

/** Runs `work` in one transaction; domain calls made with the context it is given join that transaction. */
export function inTransaction<T>(ctx: DomainContext, work: (tx: DomainContext) => Promise<T>): Promise<T> {
  return ctx.db.transaction((tx) => work({ ...ctx, db: tx }));
}
