import { and, asc, eq, isNotNull, lte, sql } from "drizzle-orm";
import { socialAccounts } from "@/db/schema";
import { dateOf } from "../clock";
import type { DomainContext } from "../domain/context";

/** Accounts read per page: the sweep never holds more than this many ids at once. */
export const SWEEP_PAGE = 500;

/**
 * The refresh sweep (CONTRACT.md §9): every active account whose planned
 * refresh (`refresh_after`) has come, a page at a time in the order they
 * came due (social_accounts_refresh_due_idx), handed to `enqueue`. Returns
 * how many it found. Whether each still needs refreshing is decided when its
 * job runs, under the account's claim.
 */
export async function sweepDueAccounts(ctx: DomainContext, enqueue: (accountIds: string[]) => Promise<void>, pageSize = SWEEP_PAGE): Promise<number> {
  const now = dateOf(ctx.clock);
  let after: { refreshAfter: Date; id: string } | undefined;
  let found = 0;
  for (;;) {
    const page = await ctx.db
      .select({ id: socialAccounts.id, refreshAfter: socialAccounts.refreshAfter })
      .from(socialAccounts)
      .where(
        and(
          eq(socialAccounts.status, "active"),
          isNotNull(socialAccounts.refreshAfter),
          lte(socialAccounts.refreshAfter, now),
          // A raw row comparison: its parameters go to the driver unconverted, so the instant goes as text.
          after ? sql`(${socialAccounts.refreshAfter}, ${socialAccounts.id}) > (${after.refreshAfter.toISOString()}::timestamptz, ${after.id})` : undefined,
        ),
      )
      .orderBy(asc(socialAccounts.refreshAfter), asc(socialAccounts.id))
      .limit(pageSize);
    if (page.length > 0) await enqueue(page.map((row) => row.id));
    found += page.length;
    if (page.length < pageSize) return found;
    const last = page.at(-1)!;
    after = { refreshAfter: last.refreshAfter!, id: last.id };
  }
}
