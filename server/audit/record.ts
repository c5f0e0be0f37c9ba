import { newId } from "@/db/ids";
import { auditEvents } from "@/db/schema";
import type { DomainContext } from "../domain/context";
import type { OrgScope } from "../domain/scope";

/** Who acts: a console user, the CLI, an API key, or the system itself. */
export type Actor = { type: "user"; id: string } | { type: "cli" } | { type: "api_key"; id: string } | { type: "system" };

/** One audit event in the scope's organization, by the scope's actor; pass the transaction's ctx so it commits with the change. */
export async function recordAudit(
  ctx: Pick<DomainContext, "db">,
  scope: OrgScope,
  event: { action: string; targetType?: string; targetId?: string; data?: Record<string, unknown> },
) {
  await ctx.db.insert(auditEvents).values({
    id: newId("evt"),
    orgId: scope.orgId,
    actorType: scope.actor.type,
    actorId: "id" in scope.actor ? scope.actor.id : null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    data: event.data ?? null,
  });
}
