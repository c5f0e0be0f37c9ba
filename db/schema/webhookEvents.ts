import { boolean, index, pgTable, text } from "drizzle-orm/pg-core";
import { WEBHOOK_EVENT_TYPES } from "../../server/contract/vocabulary";
import { createdAt, idColumn } from "./columns";
import { organizations } from "./organizations";
import { projects } from "./projects";

/**
 * One thing that happened, as its webhook reports it (CONTRACT.md §8),
 * written in the same transaction as the change. `body` is the exact JSON
 * every delivery sends and signs, so a retry or a resend is byte for byte
 * the same message under the same `webhook-id` (the event id).
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: idColumn(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    livemode: boolean("livemode").notNull(),
    type: text("type", { enum: WEBHOOK_EVENT_TYPES }).notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_events_project_idx").on(t.projectId, t.livemode, t.id)],
);
