import { pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { apiKeys } from "./apiKeys";
import { createdAt } from "./columns";

/**
 * Where a key may send end-customers back to. `url` is stored normalised
 * (lower-case scheme and host, default port dropped, no query or fragment),
 * so matching a request's returnUrl is a plain equality.
 */
export const returnUrlAllowlist = pgTable(
  "return_url_allowlist",
  {
    apiKeyId: text("api_key_id").notNull().references(() => apiKeys.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.url] })],
);
