import type { Platform } from "@/db/schema";
import type { OAuthErrorCode, ReauthReason } from "@/server/contract/vocabulary";

export { OAUTH_ERROR_CODES, type OAuthErrorCode } from "@/server/contract/vocabulary";

/**
 * A platform call that failed, already mapped to the code the end-customer's
 * returnUrl will carry. `detail` is for our logs only (never a token).
 */
export class PlatformError extends Error {
  constructor(
    readonly code: Extract<OAuthErrorCode, "token_exchange_failed" | "profile_fetch_failed" | "platform_error">,
    message: string,
    readonly detail: Record<string, unknown> = {},
    /**
     * Set on a refresh the platform refused for good (PLATFORMS.md "how tokens die"): only the
     * end-customer can fix it. Unset: the failure may pass (timeouts, 5xx, throttling), so retry.
     */
    readonly reauth?: ReauthReason,
  ) {
    super(message);
    this.name = "PlatformError";
  }

  /** This failure, marked as a refusal for good. */
  definitive(reason: ReauthReason): PlatformError {
    return new PlatformError(this.code, this.message, this.detail, reason);
  }
}

/** Tokens from a code exchange or a refresh. Instagram's are already long-lived. */
export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt: Date | null;
  /** TikTok only; Instagram has no refresh token (the long-lived token refreshes itself). */
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
  /** Scopes the token response says were granted, when it says so. */
  grantedScopes: string[] | null;
  /** The platform's user id when the token response carries one (TikTok open_id, Instagram user_id), as exact text. */
  platformUserId: string | null;
}

export interface Profile {
  /** Exact text: Instagram ids can exceed 2^53. */
  platformUserId: string;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
}

/**
 * One platform, spoken exactly as PLATFORMS.md describes. The same adapter
 * talks to the real platform and to the sandbox; only base URLs differ.
 */
export interface PlatformAdapter {
  readonly platform: Platform;
  /** Code → tokens. TikTok sends the PKCE verifier; Instagram also swaps the short-lived token for a long-lived one. */
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet>;
  /** The profile, asking only for fields the granted scopes allow (TikTok refuses others). */
  fetchProfile(accessToken: string, grantedScopes: readonly string[]): Promise<Profile>;
  /**
   * TikTok: refresh_token grant (the refresh token rotates). Instagram: ig_refresh_token on the long-lived token.
   * A PlatformError with `reauth` set when the platform refused for good.
   */
  refresh(tokens: { accessToken: string; refreshToken: string | null }): Promise<TokenSet>;
  /** Revokes at the platform where it can; false where the platform has no revoke call. */
  revoke(accessToken: string): Promise<boolean>;
}
