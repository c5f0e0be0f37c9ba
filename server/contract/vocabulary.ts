/**
 * The words the contract, the domain, the database schema and the console
 * share: platforms, modes, roles, scopes. Pure data, no dependencies.
 */
export const PLATFORMS = ["tiktok", "instagram"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_NAMES: Record<Platform, string> = { tiktok: "TikTok", instagram: "Instagram" };

export const KEY_MODES = ["live", "test"] as const;
export type KeyMode = (typeof KEY_MODES)[number];

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** What an API key may do (CONTRACT.md §3). */
export const API_SCOPES = ["social:write", "social:read", "webhooks:write", "webhooks:read"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const isApiScope = (value: string): value is ApiScope => (API_SCOPES as readonly string[]).includes(value);

export const ACCOUNT_STATUSES = ["active", "needs_reauth", "disconnected"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/**
 * Why an account is `needs_reauth` (CONTRACT.md §3): only the end-customer can fix it, by connecting again.
 * refresh_token_expired: the credential that refreshes ran out (TikTok's refresh token, Instagram's long-lived token);
 * token_revoked: the end-customer or the platform withdrew the grant; permission_removed: a permission the refresh
 * needs is gone; refresh_failed: a refresh was lost part-way, so the stored credential may be spent.
 */
export const REAUTH_REASONS = ["refresh_token_expired", "token_revoked", "permission_removed", "refresh_failed"] as const;
export type ReauthReason = (typeof REAUTH_REASONS)[number];

/** An attempt as the API reports it ("expired" is derived from the stored status and the clock). */
export const ATTEMPT_STATUSES = ["pending", "completed", "failed", "expired"] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** Webhook event types (CONTRACT.md §8). */
export const WEBHOOK_EVENT_TYPES = [
  "social_account.connected",
  "oauth_attempt.failed",
  "social_account.needs_reauth",
  "social_account.disconnected",
  "webhook.test",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** enabled: receives its events; disabled: by an admin, by a 410 answer, or after 5 days of failures. */
export const WEBHOOK_ENDPOINT_STATUSES = ["enabled", "disabled"] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/** The `layers_oauth_error` codes of CONTRACT.md §3: a failed attempt's error and the returnUrl's query. */
export const OAUTH_ERROR_CODES = [
  "access_denied",
  "scope_not_granted",
  "state_expired",
  "token_exchange_failed",
  "profile_fetch_failed",
  "platform_error",
  "server_error",
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

interface ScopeCatalog {
  /** Every scope the platform accepts that Layers may request. */
  known: readonly string[];
  /** What Layers requests when the integrator names none (CONTRACT.md §3). */
  defaults: readonly string[];
  /** Always requested; without it there is no account to store. */
  basic: string;
}

/** Each platform's OAuth scopes (PLATFORMS.md). */
export const PLATFORM_SCOPES: Record<Platform, ScopeCatalog> = {
  tiktok: {
    known: ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"],
    defaults: ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"],
    basic: "user.info.basic",
  },
  instagram: {
    known: [
      "instagram_business_basic",
      "instagram_business_content_publish",
      "instagram_business_manage_comments",
      "instagram_business_manage_insights",
      "instagram_business_manage_messages",
    ],
    defaults: [
      "instagram_business_basic",
      "instagram_business_content_publish",
      "instagram_business_manage_comments",
      "instagram_business_manage_insights",
    ],
    basic: "instagram_business_basic",
  },
};
