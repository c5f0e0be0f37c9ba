import { eq } from "drizzle-orm";
import { socialAccounts } from "@/db/schema";
import { PLATFORM_NAMES, type ReauthReason } from "@/server/contract/vocabulary";
import { recordAudit } from "../audit/record";
import type { DomainContext } from "../domain/context";
import { type ModeScope, type OperatorScope, scopeOfRow } from "../domain/scope";
import { AppError } from "../errors";
import { PlatformError } from "../oauth/platforms";
import { RefreshFailedError, refreshAccountTokens } from "./refresh";
import { type Account, type AccountRow, requireAccount, serializeAccount } from "./service";

/** How long an on-demand refresh waits for one already in flight (a platform call is at most 10 s). */
const WAIT_FOR_OTHER_MS = 15_000;
const WAIT_STEP_MS = 250;

const REAUTH_WORDS: Record<ReauthReason, string> = {
  refresh_token_expired: "its refresh credential has expired",
  token_revoked: "the end-customer or the platform withdrew the authorization",
  permission_removed: "a permission the refresh needs was removed",
  refresh_failed: "a refresh was interrupted after it may have used the refresh token, which cannot be sent again",
};

function needsReauth(row: AccountRow): AppError {
  const what = row.status === "disconnected" ? "is disconnected" : `needs the end-customer: ${REAUTH_WORDS[row.reauthReason ?? "refresh_failed"]}`;
  return new AppError("NEEDS_REAUTH", `Social account ${row.id} ${what}. Send the end-customer through oauth-url again to reconnect it (same account id).`);
}

/**
 * POST /v1/social/accounts/:id/refresh, the console's "Refresh now" and
 * `ladmin accounts refresh` (CONTRACT.md §3, §5): refreshes the platform
 * tokens now and answers the account. A refresh already in flight is waited
 * for rather than doubled. Refused for good: 409 NEEDS_REAUTH (the account is
 * then `needs_reauth`). A platform that did not answer: 503 UNAVAILABLE, the
 * account unchanged. An Instagram token under 24 h old is answered as it is:
 * Instagram refuses to refresh it, and it has weeks to live.
 */
export async function refreshSocialAccount(ctx: DomainContext, scope: ModeScope | OperatorScope, accountId: string): Promise<Account> {
  const account = await requireAccount(ctx, scope, accountId);
  if (account.status !== "active") throw needsReauth(account);
  const outcome = await refreshAccountTokens(ctx, account.id, { force: true }).catch((error: unknown) => {
    throw unavailable(account, error);
  });
  if (!outcome) throw new AppError("NOT_FOUND", `Social account ${account.id} was not found.`);
  switch (outcome.kind) {
    case "refreshed":
      await recordAudit(ctx, scopeOfRow(scope, account.orgId), {
        action: "account.refreshed",
        targetType: "social_account",
        targetId: account.id,
        data: { platform: account.platform, username: account.username },
      });
      return serializeAccount(outcome.account);
    case "needs_reauth":
      throw needsReauth(outcome.account);
    case "unchanged": {
      const now = await (outcome.why === "in_progress" ? afterOtherRefresh(ctx, account.id) : reread(ctx, account.id));
      if (now.status !== "active") throw needsReauth(now);
      return serializeAccount(now);
    }
  }
}

function unavailable(account: AccountRow, error: unknown): unknown {
  const cause = error instanceof RefreshFailedError ? error.cause : error;
  if (cause instanceof AppError) return cause;
  if (!(cause instanceof PlatformError)) return error;
  return new AppError(
    "UNAVAILABLE",
    `${PLATFORM_NAMES[account.platform]} did not complete the refresh (${cause.message}). The account is unchanged and its tokens are still valid until accessTokenExpiresAt; retry shortly.`,
    { retryAfterSeconds: 30 },
  );
}

async function reread(ctx: DomainContext, id: string): Promise<AccountRow> {
  const [row] = await ctx.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)).limit(1);
  if (!row) throw new AppError("NOT_FOUND", `Social account ${id} was not found.`);
  return row;
}

/** The account once the refresh holding it has let go; 503 if it still holds it after WAIT_FOR_OTHER_MS. */
async function afterOtherRefresh(ctx: DomainContext, id: string): Promise<AccountRow> {
  const until = ctx.clock.now() + WAIT_FOR_OTHER_MS;
  for (;;) {
    const row = await reread(ctx, id);
    const leaseEnd = row.refreshLeaseExpiresAt?.getTime();
    if (leaseEnd === undefined || leaseEnd <= ctx.clock.now()) return row;
    if (ctx.clock.now() >= until) {
      throw new AppError("UNAVAILABLE", `Another refresh of social account ${id} is still in progress; retry shortly.`, {
        retryAfterSeconds: Math.max(1, Math.ceil((leaseEnd - ctx.clock.now()) / 1000)),
      });
    }
    await new Promise<void>((resolve) => ctx.clock.setTimeout(resolve, WAIT_STEP_MS));
  }
}
