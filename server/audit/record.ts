import { newId } from "@/db/ids";
import { auditEvents } from "@/db/schema";
import type { Queryable } from "@/db/client";

/** Who acts: a console user, the CLI, an API key, or the system itself. */
export type Actor = { type: "user"; id: string } | { type: "cli" } | { type: "api_key"; id: string } | { type: "system" };

export async function recordAudit(
  db: Queryable,
  event: { orgId: string; actor: Actor; action: string; targetType?: string; targetId?: string; data?: Record<string, unknown> },
) {
  await db.insert(auditEvents).values({
    id: newId("evt"),
    orgId: event.orgId,
    actorType: event.actor.type,
    actorId: "id" in event.actor ? event.actor.id : null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    data: event.data ?? null,
  });
}
