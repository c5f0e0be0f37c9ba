import type { Platform } from "@/db/schema";
import type { TokenSet } from "../oauth/platforms/types";

/** Instagram refreshes a long-lived token only once it is this old (PLATFORMS.md). */
export const INSTAGRAM_MIN_REFRESH_AGE_MS = 24 * 3_600_000;

export interface StoredLifetimes {
  /** When the access token was received. */
  issuedAt: Date;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

/**
 * When the refresh sweep should next refresh an account (CONTRACT.md §9),
 * from the lifetimes the platform's reply gave; null when it gave none, since
 * a lifetime is never guessed.
 *
 * TikTok: `aheadMs` before the access token (or, if sooner, the refresh
 * token) runs out, but never before half the access token's life (or the
 * refresh token's, if shorter), so a token that lives less than `aheadMs` is
 * not refreshed on every sweep.
 *
 * Instagram: once the token is 24 h old and past half its life. A token that
 * dies before it may be refreshed (a sandbox lifetime of minutes) is due when
 * it expires: the sweep then finds it dead and marks the account.
 */
export function planRefresh(platform: Platform, tokens: StoredLifetimes, aheadMs: number): Date | null {
  const issued = tokens.issuedAt.getTime();
  const access = tokens.accessTokenExpiresAt?.getTime();
  if (access === undefined) return null;
  const halfLife = issued + (access - issued) / 2;
  if (platform === "instagram") {
    return new Date(Math.min(Math.max(issued + INSTAGRAM_MIN_REFRESH_AGE_MS, halfLife), access));
  }
  const refresh = tokens.refreshTokenExpiresAt?.getTime() ?? Infinity;
  // The floor is half the access token's life, or half the refresh token's when that is sooner.
  const floor = Math.min(halfLife, issued + (refresh - issued) / 2);
  return new Date(Math.max(Math.min(access, refresh) - aheadMs, floor));
}

/** The lifetime columns for tokens received at `now`, with the refresh they plan. */
export function lifetimeColumns(platform: Platform, tokens: Pick<TokenSet, "accessTokenExpiresAt" | "refreshTokenExpiresAt">, now: Date, aheadMs: number) {
  return {
    accessTokenIssuedAt: now,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshAfter: planRefresh(platform, { issuedAt: now, ...tokens }, aheadMs),
  };
}
