import { and, desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { apiKeys, auditEvents, users } from "@/db/schema";
import { ids } from "@/server/contract/ids";
import type { DomainContext } from "../domain/context";
import type { OrgScope } from "../domain/scope";
import { decodeCursor, page } from "../pagination";

const PAGE = 50;

// Event ids are ULIDs, so the last id on a page is the cursor.
const eventCursor = z.tuple([ids.evt]);

/** Who did what, when: the organization's audit events, newest first. */
export async function listAuditEvents(ctx: DomainContext, scope: OrgScope, input: { cursor?: string }) {
  const after = input.cursor ? decodeCursor(input.cursor, eventCursor)[0] : undefined;
  const rows = await ctx.db
    .select({ event: auditEvents, userEmail: users.email, keyName: apiKeys.name })
    .from(auditEvents)
    .leftJoin(users, and(eq(auditEvents.actorType, "user"), eq(users.id, auditEvents.actorId)))
    .leftJoin(apiKeys, and(eq(auditEvents.actorType, "api_key"), eq(apiKeys.id, auditEvents.actorId)))
    .where(and(eq(auditEvents.orgId, scope.orgId), after ? lt(auditEvents.id, after) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(PAGE + 1);
  const { items, nextCursor } = page(rows, PAGE, (r) => [r.event.id]);
  return {
    items: items.map(({ event, userEmail, keyName }) => ({
      id: event.id,
      actorType: event.actorType as "user" | "cli" | "api_key" | "system",
      actorId: event.actorId,
      actorLabel:
        event.actorType === "user" ? (userEmail ?? "a deleted user") : event.actorType === "api_key" ? `API key ${keyName ?? event.actorId}` : event.actorType === "cli" ? "ladmin" : "Layers",
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      data: event.data,
      createdAt: event.createdAt.toISOString(),
    })),
    nextCursor,
  };
}
