/**
 * Refreshing one account's platform tokens (CONTRACT.md §9), for the sweep,
 * the REST API, the console and ladmin alike.
 *
 * One refresh per account at a time, across processes: a refresh first
 * claims the account (a fresh lease id and a lease, in one locked read and
 * write), and only the holder may store what the platform answered (the
 * write is bound to its lease id). A refresh token is therefore sent once:
 *
 * - Another claimant finds the lease live and stands back.
 * - The holder's own write is retried, with the tokens in hand, while the
 *   database is unreachable, up to the end of its lease: a database outage
 *   between the platform's reply and the write loses nothing.
 * - A holder that died between sending and storing leaves its lease id
 *   behind. After the lease, the next refresh knows the stored credential may
 *   be spent. Instagram's long-lived token stays valid when a new one is
 *   issued, so it is simply refreshed again. TikTok rotates its refresh token:
 *   the old one may already be refused (and a platform may read a reused
 *   token as theft), so it is never sent again; the account becomes
 *   `needs_reauth` (`refresh_failed`) and says so.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { socialAccounts } from "@/db/schema";
import type { ReauthReason } from "@/server/contract/vocabulary";
import { type Clock, dateOf } from "../clock";
import { SEALED } from "../crypto/sealed";
import { type DomainContext, inTransaction } from "../domain/context";
import { AppError, isDatabaseUnavailable } from "../errors";
import { describeError, log } from "../log";
import { createPlatformAdapter, PlatformError, type TokenSet } from "../oauth/platforms";
import { platformEndpoints } from "../oauth/platforms/config";
import { recordEvent } from "../webhooks/events";
import { INSTAGRAM_MIN_REFRESH_AGE_MS, lifetimeColumns } from "./lifetime";
import { eventTarget, serializeAccount } from "./service";

type AccountRow = typeof socialAccounts.$inferSelect;

/**
 * How long a claim holds an account: one platform call (at most 10 s), then
 * the write, retried through a database outage of up to about a minute and a
 * half. A refresh cut off part-way is taken over this long after it began.
 */
export const REFRESH_LEASE_MS = 2 * 60_000;
/** The holder stops retrying its write this long before its lease ends, so it never writes after a takeover. */
const WRITE_MARGIN_MS = 15_000;

export type RefreshOutcome =
  | { kind: "refreshed"; account: AccountRow }
  | { kind: "needs_reauth"; account: AccountRow; reason: ReauthReason }
  /**
   * Nothing was sent. not_active: needs_reauth or disconnected; not_due: the sweep's plan says later;
   * too_young: an Instagram token under 24 h old, which Instagram refuses to refresh; in_progress:
   * another refresh holds the account; superseded: a reconnect (or a takeover) replaced the claim while
   * the platform answered, so its tokens were not stored.
   */
  | { kind: "unchanged"; account: AccountRow; why: "not_active" | "not_due" | "too_young" | "in_progress" | "superseded" };

/**
 * A refresh that may work later (a timeout, a 5xx, throttling, a platform
 * without credentials): nothing about the account changed.
 */
export class RefreshFailedError extends Error {
  constructor(
    readonly accountId: string,
    cause: unknown,
  ) {
    super(`Refreshing account ${accountId} failed and may work later: ${describeError(cause)}`, { cause });
    this.name = "RefreshFailedError";
  }
}

type Claim = { kind: "claimed"; row: AccountRow; leaseId: string; interrupted: boolean } | Extract<RefreshOutcome, { kind: "unchanged" }>;

/**
 * Refreshes account `id` now (`force`), or only if the sweep's plan says it
 * is due. Resolves with what happened; throws RefreshFailedError when the
 * platform could not be reached or answered something that may pass.
 */
export async function refreshAccountTokens(ctx: DomainContext, id: string, opts: { force: boolean }): Promise<RefreshOutcome | undefined> {
  const now = dateOf(ctx.clock);
  const claim = await claimRefresh(ctx, id, now, opts.force);
  if (!claim) return undefined;
  if (claim.kind === "unchanged") return claim;
  const { row, leaseId } = claim;
  const refusal = deadBeforeSending(row, now, claim.interrupted);
  if (refusal) return markNeedsReauth(ctx, row, leaseId, refusal);
  if (row.platform === "instagram" && row.accessTokenIssuedAt && now.getTime() - row.accessTokenIssuedAt.getTime() < INSTAGRAM_MIN_REFRESH_AGE_MS) {
    await releaseLease(ctx, id, leaseId);
    return { kind: "unchanged", account: row, why: "too_young" };
  }

  let tokens: TokenSet;
  try {
    tokens = await callPlatform(ctx, row);
  } catch (error) {
    if (error instanceof PlatformError && error.reauth) {
      const reason = error.reauth === "token_revoked" && credentialExpired(row, now) ? "refresh_token_expired" : error.reauth;
      log.warn("refresh refused for good", { accountId: id, platform: row.platform, reason, error: describeError(error) });
      return markNeedsReauth(ctx, row, leaseId, reason);
    }
    await releaseLease(ctx, id, leaseId).catch(() => {});
    throw new RefreshFailedError(id, error);
  }
  return storeRefreshed(ctx, row, leaseId, tokens, now);
}

/** Takes the account for one refresh: a locked read, then the lease, in one transaction. */
async function claimRefresh(ctx: DomainContext, id: string, now: Date, force: boolean): Promise<Claim | undefined> {
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)).for("update");
    if (!row) return undefined;
    if (row.status !== "active") return { kind: "unchanged", account: row, why: "not_active" };
    if (row.refreshLeaseExpiresAt && row.refreshLeaseExpiresAt > now) return { kind: "unchanged", account: row, why: "in_progress" };
    if (!force && (!row.refreshAfter || row.refreshAfter > now)) return { kind: "unchanged", account: row, why: "not_due" };
    const leaseId = randomUUID();
    await tx.db
      .update(socialAccounts)
      .set({ refreshLeaseId: leaseId, refreshLeaseExpiresAt: new Date(now.getTime() + REFRESH_LEASE_MS) })
      .where(eq(socialAccounts.id, id));
    return { kind: "claimed", row, leaseId, interrupted: row.refreshLeaseId !== null };
  });
}

/** The credential that refreshes has run out (TikTok's refresh token, Instagram's long-lived token itself). */
function credentialExpired(row: AccountRow, now: Date): boolean {
  const expiresAt = row.platform === "tiktok" ? row.refreshTokenExpiresAt : row.accessTokenExpiresAt;
  return expiresAt !== null && expiresAt <= now;
}

/** Why the account cannot be refreshed without asking the platform anything, if it cannot. */
function deadBeforeSending(row: AccountRow, now: Date, interrupted: boolean): ReauthReason | undefined {
  if (credentialExpired(row, now)) return "refresh_token_expired";
  if (!row.accessTokenEnc || (row.platform === "tiktok" && !row.refreshTokenEnc)) return "refresh_failed";
  if (interrupted && row.platform === "tiktok") {
    log.error("a TikTok refresh was cut off after it may have reached TikTok; its refresh token is not sent again", { accountId: row.id });
    return "refresh_failed";
  }
  return undefined;
}

function callPlatform(ctx: DomainContext, row: AccountRow): Promise<TokenSet> {
  const endpoints = platformEndpoints(ctx.config, row.platform, row.livemode);
  if (!endpoints.credentials) return Promise.reject(new AppError("PLATFORM_NOT_CONFIGURED", endpoints.notConfigured!));
  const adapter = createPlatformAdapter(endpoints, { now: () => ctx.clock.now() });
  return adapter.refresh({
    accessToken: ctx.box.open(row.accessTokenEnc!, SEALED.accessToken.at(row.id)),
    refreshToken: row.refreshTokenEnc ? ctx.box.open(row.refreshTokenEnc, SEALED.refreshToken.at(row.id)) : null,
  });
}

/** The platform's answer, stored by the lease holder only: new tokens (the rotated refresh token in the same write) and the next plan. */
async function storeRefreshed(ctx: DomainContext, row: AccountRow, leaseId: string, tokens: TokenSet, now: Date): Promise<RefreshOutcome> {
  const refreshTokenExpiresAt = tokens.refreshToken ? tokens.refreshTokenExpiresAt : row.refreshTokenExpiresAt;
  const values = {
    accessTokenEnc: ctx.box.seal(tokens.accessToken, SEALED.accessToken.at(row.id)),
    ...(tokens.refreshToken && { refreshTokenEnc: ctx.box.seal(tokens.refreshToken, SEALED.refreshToken.at(row.id)), refreshTokenExpiresAt }),
    ...lifetimeColumns(row.platform, { accessTokenExpiresAt: tokens.accessTokenExpiresAt, refreshTokenExpiresAt }, now, ctx.config.refreshAheadMs),
    lastRefreshedAt: now,
    refreshLeaseId: null,
    refreshLeaseExpiresAt: null,
    updatedAt: now,
  };
  const deadline = now.getTime() + REFRESH_LEASE_MS - WRITE_MARGIN_MS;
  const [stored] = await retryWhileUnreachable(ctx.clock, deadline, () =>
    ctx.db
      .update(socialAccounts)
      .set(values)
      .where(and(eq(socialAccounts.id, row.id), eq(socialAccounts.refreshLeaseId, leaseId)))
      .returning(),
  );
  if (!stored) {
    log.warn("a refresh's claim was replaced while the platform answered; its tokens were not stored", { accountId: row.id });
    return { kind: "unchanged", account: row, why: "superseded" };
  }
  return { kind: "refreshed", account: stored };
}

/** needs_reauth with its reason, and the social_account.needs_reauth webhook event in the same transaction. */
async function markNeedsReauth(ctx: DomainContext, row: AccountRow, leaseId: string, reason: ReauthReason): Promise<RefreshOutcome> {
  const now = dateOf(ctx.clock);
  const stored = await inTransaction(ctx, async (tx) => {
    const [updated] = await tx.db
      .update(socialAccounts)
      .set({ status: "needs_reauth", reauthReason: reason, refreshAfter: null, refreshLeaseId: null, refreshLeaseExpiresAt: null, updatedAt: now })
      .where(and(eq(socialAccounts.id, row.id), eq(socialAccounts.refreshLeaseId, leaseId)))
      .returning();
    if (updated) await recordEvent(tx, eventTarget(updated), "social_account.needs_reauth", serializeAccount(updated));
    return updated;
  });
  if (!stored) return { kind: "unchanged", account: row, why: "superseded" };
  log.info("account needs the end-customer", { accountId: row.id, platform: row.platform, reason });
  return { kind: "needs_reauth", account: stored, reason };
}

/** Gives the claim back, so the next refresh need not wait out the lease (nothing was sent, or it failed cleanly). */
async function releaseLease(ctx: DomainContext, id: string, leaseId: string) {
  await ctx.db
    .update(socialAccounts)
    .set({ refreshLeaseId: null, refreshLeaseExpiresAt: null })
    .where(and(eq(socialAccounts.id, id), eq(socialAccounts.refreshLeaseId, leaseId)));
}

/** `work`, again after a growing pause each time the database cannot be reached, until `deadline`. */
async function retryWhileUnreachable<T>(clock: Clock, deadline: number, work: () => Promise<T>): Promise<T> {
  for (let pause = 250; ; pause = Math.min(pause * 2, 5_000)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || clock.now() + pause > deadline) throw error;
      log.warn("storing refreshed tokens: database unreachable, retrying with the tokens in hand", { error: describeError(error) });
      await new Promise<void>((resolve) => clock.setTimeout(resolve, pause));
    }
  }
}
