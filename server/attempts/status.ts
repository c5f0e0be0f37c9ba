import { and, eq, gt, inArray, lte, type SQL } from "drizzle-orm";
import { oauthStates, type StateStatus } from "@/db/schema";
import type { AttemptStatus } from "@/server/contract/vocabulary";

/**
 * The status rule, in its two forms side by side so they cannot drift: the
 * API's status is derived from the stored one and the clock. A claimed
 * ("processing") state still reads as pending, and either becomes "expired"
 * once `expiresAt` has passed; finished states keep their outcome forever.
 */
export function attemptStatus(attempt: { status: StateStatus; expiresAt: Date }, now = new Date()): AttemptStatus {
  if (attempt.status === "completed" || attempt.status === "failed") return attempt.status;
  return attempt.expiresAt <= now ? "expired" : "pending";
}

const UNFINISHED: StateStatus[] = ["pending", "processing"];

/** The same rule as a WHERE condition, for filtering in SQL. */
export function statusCondition(status: AttemptStatus, now = new Date()): SQL {
  switch (status) {
    case "completed":
    case "failed":
      return eq(oauthStates.status, status);
    case "pending":
      return and(inArray(oauthStates.status, UNFINISHED), gt(oauthStates.expiresAt, now))!;
    case "expired":
      return and(inArray(oauthStates.status, UNFINISHED), lte(oauthStates.expiresAt, now))!;
  }
}
