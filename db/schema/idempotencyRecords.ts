import { integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { apiKeys } from "./apiKeys";
import { createdAt } from "./columns";

/**
 * Replays for `Idempotency-Key`: per API key, the request's fingerprint and
 * the response it got, for 24 hours. A different fingerprint under the same
 * key is a 409.
 */
export const idempotencyRecords = pgTable(
  "idempotency_records",
  {
    apiKeyId: text("api_key_id").notNull().references(() => apiKeys.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    // SHA-256 over method, path and body.
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status").notNull(),
    responseBody: jsonb("response_body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] })],
);
