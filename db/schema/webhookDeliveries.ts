import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn, instant, updatedAt } from "./columns";
import { webhookEndpoints } from "./webhookEndpoints";
import { webhookEvents } from "./webhookEvents";

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/**
 * One event on its way to one endpoint: pending until a 2xx (succeeded) or
 * until the retries run out, a 410, or the endpoint is disabled (failed). A
 * resend from the console is a new delivery of the same event.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: idColumn(),
    eventId: text("event_id").notNull().references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id").notNull().references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    // When the next attempt is due (pending only).
    nextAttemptAt: instant("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id), index("webhook_deliveries_event_idx").on(t.eventId)],
);

/**
 * Every try of a delivery, as the console shows it. Keyed by its number, so
 * a job run twice (a worker that died mid-send) records one try, not two.
 */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id").notNull().references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    attemptedAt: instant("attempted_at").notNull(),
    // null when no answer came (timeout, refused, blocked address).
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error"),
    // When the next try was planned; null when this was the last.
    nextRetryAt: instant("next_retry_at"),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.number] })],
);
