/**
 * Claims and their leases (issue 9 item 1). A callback claims a state with
 * one conditional UPDATE and holds it for LEASE_MS; only the holder of that
 * lease may finish it (store.ts matches the lease value). A callback that
 * crashed, or lost its database, mid-way leaves the claim behind; once the
 * lease has run out:
 * - a replayed callback (the end-customer reloading the page) claims it
 *   again and runs the exchange once more (server/oauth/callback.ts);
 * - `endAbandonedAttempts` ends every such claim failed/server_error. It runs
 *   at server start (server/bootstrap.ts) and as the job system's attempts
 *   sweep (server/jobs/workers.ts), and a status read ends the one it reads
 *   (report.ts), so what the read answers is what is stored from then on.
 */
import { and, eq, gt, type SQL } from "drizzle-orm";
import { oauthStates } from "@/db/schema";
import { type DomainContext, inTransaction } from "../domain/context";
import { attemptEnded } from "./ended";
import { abandonedCondition } from "./status";
import type { AttemptRow } from "./store";

/**
 * Longer than the slowest callback that is still working: two platform calls
 * of at most 10 s each (DEFAULT_TIMEOUT_MS), then one transaction. Short
 * enough that a reload a minute after a crash reaches the real outcome.
 */
export const LEASE_MS = 60_000;

export const ABANDONED_MESSAGE = "Layers was interrupted while completing the connection. Start connecting again.";

const leaseFrom = (now: Date) => new Date(now.getTime() + LEASE_MS);

/**
 * Uses a state: from pending, and only before it expires (expired is final),
 * so of any number of concurrent callbacks exactly one gets the row back.
 */
export async function claimAttempt(ctx: DomainContext, id: string, now: Date): Promise<AttemptRow | undefined> {
  const [claimed] = await ctx.db
    .update(oauthStates)
    .set({ status: "processing", leaseExpiresAt: leaseFrom(now) })
    .where(and(eq(oauthStates.id, id), eq(oauthStates.status, "pending"), gt(oauthStates.expiresAt, now)))
    .returning();
  return claimed;
}

/**
 * Takes over an abandoned claim. Not bounded by `expiresAt`: the state was
 * claimed in time, and the claim is what counts. The new lease value is what
 * tells the old holder, should it still be alive, that it lost the attempt.
 */
export async function reclaimAttempt(ctx: DomainContext, id: string, now: Date): Promise<AttemptRow | undefined> {
  const [claimed] = await ctx.db
    .update(oauthStates)
    .set({ leaseExpiresAt: leaseFrom(now) })
    .where(and(eq(oauthStates.id, id), abandonedCondition(now)))
    .returning();
  return claimed;
}

const abandonedOutcome = (now: Date) =>
  ({ status: "failed", errorCode: "server_error", errorMessage: ABANDONED_MESSAGE, completedAt: now }) as const;

/** Ends one attempt if its claim was abandoned; false when it was not (or another reader ended it). */
export async function endAbandonedAttempt(ctx: DomainContext, id: string, now: Date): Promise<boolean> {
  return (await endAbandoned(ctx, and(eq(oauthStates.id, id), abandonedCondition(now))!, now)) > 0;
}

/** The sweep: ends every abandoned claim failed/server_error; returns how many it ended. */
export async function endAbandonedAttempts(ctx: DomainContext, now = new Date()): Promise<number> {
  return endAbandoned(ctx, abandonedCondition(now), now);
}

/** Each end and its consequences (ended.ts) in one transaction. */
function endAbandoned(ctx: DomainContext, which: SQL, now: Date): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const ended = await tx.db.update(oauthStates).set(abandonedOutcome(now)).where(which).returning();
    for (const attempt of ended) await attemptEnded(tx, attempt);
    return ended.length;
  });
}
