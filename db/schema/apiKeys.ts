import { index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, instant } from "./columns";
import { organizations } from "./organizations";

import { KEY_MODES } from "../../server/contract/vocabulary";

export { KEY_MODES, type KeyMode } from "../../server/contract/vocabulary";

/**
 * Integrators' API keys. The token is `lp_<mode>_<publicId>_<secret>`; only a
 * SHA-256 of the secret is kept (the secret has 160 random bits, so a slow
 * hash adds nothing), and the token is shown once, at creation.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: idColumn(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    mode: text("mode", { enum: KEY_MODES }).notNull(),
    // The token's public part: how a request finds its key without a hash
    // lookup, and what the console and CLI show to tell keys apart.
    publicId: text("public_id").notNull(),
    // Hex SHA-256 of the secret part; compared in constant time.
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    // Budgets like "60/60s"; null means the instance default (LAYERS_*_LIMIT).
    writeLimit: text("write_limit"),
    readLimit: text("read_limit"),
    createdBy: text("created_by"),
    // Written at most once a minute per key, never on every request.
    lastUsedAt: instant("last_used_at"),
    expiresAt: instant("expires_at"),
    revokedAt: instant("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("api_keys_public_id_key").on(t.publicId),
    uniqueIndex("api_keys_secret_hash_key").on(t.secretHash),
    index("api_keys_org_idx").on(t.orgId),
  ],
);
