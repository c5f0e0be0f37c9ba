import { boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, instant, updatedAt } from "./columns";
import { PLATFORMS } from "./oauthStates";
import { organizations } from "./organizations";
import { projects } from "./projects";

export { ACCOUNT_STATUSES } from "../../server/contract/vocabulary";
import { ACCOUNT_STATUSES } from "../../server/contract/vocabulary";

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
  ],
);
