import { and, eq, gt, isNull, lte, or, type SQL } from "drizzle-orm";
import { oauthStates, type StateStatus } from "@/db/schema";
import type { AttemptStatus } from "@/server/contract/vocabulary";

type StatusFields = { status: StateStatus; expiresAt: Date; leaseExpiresAt?: Date | null };

/**
 * A claimed attempt whose callback stopped before finishing: its lease has
 * run out. No lease at all (a row claimed before leases existed) counts as
 * run out, so no claim is ever left without an end.
 */
export function isAbandoned(attempt: StatusFields, now = new Date()): boolean {
  return attempt.status === "processing" && (!attempt.leaseExpiresAt || attempt.leaseExpiresAt <= now);
}

/**
 * The status rule, in its two forms side by side so they cannot drift: the
 * API's status is derived from the stored one and the clock.
 * - An unclaimed state is pending until `expiresAt`, then expired for good:
 *   a late callback cannot claim it (expired is final).
 * - A claimed state reads as pending while its lease lives, even past
 *   `expiresAt`: it was claimed in time, so it will complete or fail, never
 *   expire. An abandoned claim reads as failed (server_error), which is what
 *   the sweep or the next read stores (server/attempts/lease.ts).
 * - Finished states keep their outcome forever.
 */
export function attemptStatus(attempt: StatusFields, now = new Date()): AttemptStatus {
  if (attempt.status === "completed" || attempt.status === "failed") return attempt.status;
  if (attempt.status === "processing") return isAbandoned(attempt, now) ? "failed" : "pending";
  return attempt.expiresAt <= now ? "expired" : "pending";
}

const leaseOver = (now: Date) => or(isNull(oauthStates.leaseExpiresAt), lte(oauthStates.leaseExpiresAt, now))!;

/** `isAbandoned` as a WHERE condition. */
export function abandonedCondition(now: Date): SQL {
  return and(eq(oauthStates.status, "processing"), leaseOver(now))!;
}

/** The same rule as a WHERE condition, for filtering in SQL. */
export function statusCondition(status: AttemptStatus, now = new Date()): SQL {
  switch (status) {
    case "completed":
      return eq(oauthStates.status, status);
    case "failed":
      return or(eq(oauthStates.status, "failed"), abandonedCondition(now))!;
    case "pending":
      return or(
        and(eq(oauthStates.status, "pending"), gt(oauthStates.expiresAt, now)),
        and(eq(oauthStates.status, "processing"), gt(oauthStates.leaseExpiresAt, now)),
      )!;
    case "expired":
      return and(eq(oauthStates.status, "pending"), lte(oauthStates.expiresAt, now))!;
  }
}
