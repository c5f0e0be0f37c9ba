import { index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { PLATFORMS } from "./oauthStates";

/**
 * code: an authorization code (single use). access / refresh: TikTok's pair,
 * and Instagram's long-lived token (kind `access`). short_lived: Instagram's
 * one-hour token from the code exchange, swapped for a long-lived one.
 */
export const SANDBOX_TOKEN_KINDS = ["code", "access", "refresh", "short_lived"] as const;
export type SandboxTokenKind = (typeof SANDBOX_TOKEN_KINDS)[number];

/**
 * Codes and tokens the built-in sandbox has issued to test-mode connections.
 * Only a SHA-256 of each is kept: the sandbox hands the plaintext out once
 * and later only needs to recognise it.
 */
export const sandboxTokens = pgTable(
  "sandbox_tokens",
  {
    // Hex SHA-256 of the code or token. Every value carries >= 192 random
    // bits, so a fast hash is enough and lookups are one index probe.
    tokenHash: text("token_hash").primaryKey(),
    kind: text("kind", { enum: SANDBOX_TOKEN_KINDS }).notNull(),
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    // The client the code or token was issued to; the token endpoint only
    // honours it for that client.
    clientId: text("client_id").notNull(),
    // One consent: the code and every token descended from it share this id,
    // so revoking one token (TikTok revokes the whole authorization) or
    // rotating a refresh token can act on the lot.
    grantId: text("grant_id").notNull(),
    // TikTok open_id or Instagram user_id, derived from platform + username.
    // Text: Instagram ids exceed 2^53.
    userId: text("user_id").notNull(),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    // What the end-customer left ticked on the consent page.
    grantedScopes: text("granted_scopes").array().notNull(),
    // Codes only: the token request must repeat it exactly.
    redirectUri: text("redirect_uri"),
    // Codes only (TikTok PKCE): hex SHA-256 of the verifier, as sent to the
    // authorize page; null when the authorize request had none.
    codeChallenge: text("code_challenge"),
    // The lifetimes the end-customer chose on the consent page, in seconds, for every token of the grant
    // (refreshes included); null: the platform's own. Copied onto every row of the grant, so a refresh
    // reads them from the token it redeems. Instagram: access is the long-lived token's lifetime and
    // refresh is always null (it has no refresh token). A TikTok refresh token's expires_at is the
    // grant's refresh deadline, which rotation hands on unchanged rather than renewing.
    accessTtlSeconds: integer("access_ttl_seconds"),
    refreshTtlSeconds: integer("refresh_ttl_seconds"),
    expiresAt: instant("expires_at").notNull(),
    // Codes and refresh tokens are single-use: consumed by a conditional
    // UPDATE ... WHERE used_at IS NULL, so two concurrent redemptions cannot
    // both win.
    usedAt: instant("used_at"),
    revokedAt: instant("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // Revoking or inspecting one authorization.
    index("sandbox_tokens_grant_idx").on(t.grantId),
    // Pruning rows long past their expiry.
    index("sandbox_tokens_expires_idx").on(t.expiresAt),
  ],
);
