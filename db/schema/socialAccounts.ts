import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, instant, updatedAt } from "./columns";
import { PLATFORMS } from "./oauthStates";
import { organizations } from "./organizations";
import { projects } from "./projects";

export { ACCOUNT_STATUSES, REAUTH_REASONS } from "../../server/contract/vocabulary";
import { ACCOUNT_STATUSES, REAUTH_REASONS } from "../../server/contract/vocabulary";

/**
 * A connected TikTok or Instagram account. Tokens are AES-256-GCM ciphertexts
 * that carry the id of the key that sealed them, so the key can be rotated.
 */
export const socialAccounts = pgTable(
  "social_accounts",
  {
    id: idColumn(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    // Kept as text: Instagram ids can exceed 2^53.
    platformUserId: text("platform_user_id").notNull(),
    username: text("username"),
    displayName: text("display_name"),
    avatarUrl: text("avatar_url"),
    grantedScopes: text("granted_scopes").array().notNull(),
    status: text("status", { enum: ACCOUNT_STATUSES }).notNull().default("active"),
    livemode: boolean("livemode").notNull(),
    accessTokenEnc: text("access_token_enc"),
    refreshTokenEnc: text("refresh_token_enc"),
    accessTokenExpiresAt: instant("access_token_expires_at"),
    refreshTokenExpiresAt: instant("refresh_token_expires_at"),
    // Set with status needs_reauth (why only the end-customer can fix it); null otherwise.
    reauthReason: text("reauth_reason", { enum: REAUTH_REASONS }),
    // When the current access token was received. Instagram refreshes a long-lived token only once it is
    // 24 h old and past half its life, both counted from here.
    accessTokenIssuedAt: instant("access_token_issued_at"),
    lastRefreshedAt: instant("last_refreshed_at"),
    // When the refresh sweep should next refresh this account, worked out whenever tokens are stored
    // (server/accounts/lifetime.ts); null when the platform gave no lifetime to plan by.
    refreshAfter: instant("refresh_after"),
    // One refresh at a time: a refresh claims the account with a fresh id and a lease, and only the holder
    // may store what the platform answered. An id left behind with a lapsed lease is a refresh that was cut
    // off part-way: its refresh token may already be spent (server/accounts/refresh.ts).
    refreshLeaseId: text("refresh_lease_id"),
    refreshLeaseExpiresAt: instant("refresh_lease_expires_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Reconnecting the same platform user in a project updates this row. The
    // mode is part of the identity: a sandbox connection never lands on (or
    // overwrites the tokens of) a live account with the same platform user id.
    uniqueIndex("social_accounts_identity_key").on(t.projectId, t.platform, t.platformUserId, t.livemode),
    // Cursor pagination of a project's accounts (id is time-ordered).
    index("social_accounts_project_id_idx").on(t.projectId, t.id),
    // The refresh sweep: active accounts in the order they come due, read a page at a time.
    index("social_accounts_refresh_due_idx")
      .on(t.refreshAfter, t.id)
      .where(sql`${t.status} = 'active' and ${t.refreshAfter} is not null`),
  ],
);
