import { index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn } from "./columns";
import { organizations } from "./organizations";

/**
 * Who did what, when: key creation and revocation, allowlist changes,
 * disconnections, sign-ins. Never holds a secret.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: idColumn(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    // "user" (console), "cli" (ladmin), "api_key" (REST) or "system".
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index("audit_events_org_created_idx").on(t.orgId, t.createdAt)],
);
