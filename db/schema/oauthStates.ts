import { index, pgTable, text, boolean } from "drizzle-orm/pg-core";
import { apiKeys } from "./apiKeys";
import { createdAt, instant } from "./columns";
import { organizations } from "./organizations";
import { projects } from "./projects";

import { PLATFORMS } from "../../server/contract/vocabulary";

export { PLATFORMS, type Platform } from "../../server/contract/vocabulary";

// "processing": a callback has claimed the state and is talking to the
// platform; it reads as pending while its lease lives. Claiming is how a
// state is used only once.
export const STATE_STATUSES = ["pending", "processing", "completed", "failed"] as const;
export type StateStatus = (typeof STATE_STATUSES)[number];

/**
 * One OAuth attempt. The id is the `state` sent to the platform (160 random
 * bits). It lives 10 minutes and is consumed once: the callback moves it out
 * of `pending` in a single conditional UPDATE. `expired` is never stored; it
 * is a pending (never claimed) state read after `expires_at`, and it is final:
 * a late callback cannot claim it.
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    // Only this key may read the attempt's status.
    apiKeyId: text("api_key_id").notNull().references(() => apiKeys.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: PLATFORMS }).notNull(),
    livemode: boolean("livemode").notNull(),
    returnUrl: text("return_url").notNull(),
    scopes: text("scopes").array().notNull(),
    usageNote: text("usage_note"),
    // PKCE verifier (TikTok), encrypted like platform tokens; never leaves the server.
    codeVerifierEnc: text("code_verifier_enc"),
    status: text("status", { enum: STATE_STATUSES }).notNull().default("pending"),
    socialAccountId: text("social_account_id"),
    grantedScopes: text("granted_scopes").array(),
    missingScopes: text("missing_scopes").array(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: createdAt(),
    expiresAt: instant("expires_at").notNull(),
    completedAt: instant("completed_at"),
    // Set by the claim: until then the claiming callback owns the attempt. A
    // callback that crashed leaves it behind; once it has passed, a replayed
    // callback may claim the attempt again, and the sweep or a status read
    // ends it failed/server_error (server/attempts/lease.ts). It also names
    // the claim: only the callback holding this lease may finish the attempt.
    leaseExpiresAt: instant("lease_expires_at"),
    // SHA-256 of the __Host- cookie given to the first browser that pressed the
    // hosted connect page's button: only that browser may go on from there.
    browserBindingHash: text("browser_binding_hash"),
  },
  (t) => [
    // The console's attempt list: newest first per project.
    index("oauth_states_project_created_idx").on(t.projectId, t.createdAt),
    index("oauth_states_org_created_idx").on(t.orgId, t.createdAt),
  ],
);
