/**
 * What happens when an attempt ends: the one place for it. Every change that
 * takes an attempt out of pending/processing (the callback's completion or
 * failure, the end of an abandoned claim) calls `attemptEnded` in the same
 * transaction, so whatever it sets off happens exactly when, and only if,
 * the end is committed: the NOTIFY that wakes waiters, and for a failure the
 * oauth_attempt.failed webhook event.
 */
import { sql } from "drizzle-orm";
import type { oauthStates } from "@/db/schema";
import type { DomainContext } from "../domain/context";
import { recordEvent } from "../webhooks/events";

/** The NOTIFY channel whose payload is the state of an attempt that just ended (server/attempts/wait.ts listens). */
export const ATTEMPTS_CHANNEL = "layers_attempts";

export async function attemptEnded(ctx: DomainContext, attempt: typeof oauthStates.$inferSelect): Promise<void> {
  // Delivered at commit, to every listening process: long-polls and replayed callbacks wake on any instance.
  await ctx.db.execute(sql`select pg_notify(${ATTEMPTS_CHANNEL}, ${attempt.id})`);
  // A completed attempt's event (social_account.connected) carries the account, so the callback records it beside the account's write.
  if (attempt.status === "failed") {
    await recordEvent(ctx, { orgId: attempt.orgId, projectId: attempt.projectId, livemode: attempt.livemode }, "oauth_attempt.failed", {
      state: attempt.id,
      projectId: attempt.projectId,
      platform: attempt.platform,
      error: { code: attempt.errorCode ?? "server_error", message: attempt.errorMessage ?? "" },
    });
  }
}
