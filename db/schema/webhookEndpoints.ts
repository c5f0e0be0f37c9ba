import { boolean, index, pgTable, text } from "drizzle-orm/pg-core";
import { WEBHOOK_ENDPOINT_STATUSES, type WebhookEventType } from "../../server/contract/vocabulary";
import { createdAt, idColumn, instant, updatedAt } from "./columns";
import { organizations } from "./organizations";
import { projects } from "./projects";

/** Why an endpoint was disabled: by an admin, by a 410 answer, or after 5 days in which every delivery failed. */
export const WEBHOOK_DISABLED_REASONS = ["manual", "gone", "failing"] as const;

/**
 * Where a project's events of one mode go (CONTRACT.md §8). The secret signs
 * every delivery; during a rotation the previous one signs alongside it until
 * `previous_secret_expires_at`. Both are sealed like platform tokens.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: idColumn(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    // The mode of the key (or console switch) that created it: it receives only that mode's events.
    livemode: boolean("livemode").notNull(),
    url: text("url").notNull(),
    // The event types it receives; null: every type.
    events: text("events").array().$type<WebhookEventType[]>(),
    description: text("description"),
    status: text("status", { enum: WEBHOOK_ENDPOINT_STATUSES }).notNull().default("enabled"),
    disabledReason: text("disabled_reason", { enum: WEBHOOK_DISABLED_REASONS }),
    secretEnc: text("secret_enc").notNull(),
    previousSecretEnc: text("previous_secret_enc"),
    previousSecretExpiresAt: instant("previous_secret_expires_at"),
    // When the current run of failed deliveries began; null after any success. Five days of it disables the endpoint.
    failingSince: instant("failing_since"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // A project's endpoints of one mode, a page at a time; and the ones an event goes to.
    index("webhook_endpoints_project_idx").on(t.projectId, t.livemode, t.id),
  ],
);
