import { and, desc, eq, lt } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiKeys, auditEvents, users } from "@/db/schema";
import { decodeCursor, encodeCursor } from "../pagination";

const PAGE = 50;

/** Who did what, when: the organization's audit events, newest first. */
export async function listAuditEvents(db: Queryable, orgId: string, cursor?: string) {
  const after = cursor ? decodeCursor(cursor, 1)[0] : undefined;
  const rows = await db
    .select({ event: auditEvents, userEmail: users.email, keyName: apiKeys.name })
    .from(auditEvents)
    .leftJoin(users, and(eq(auditEvents.actorType, "user"), eq(users.id, auditEvents.actorId)))
    .leftJoin(apiKeys, and(eq(auditEvents.actorType, "api_key"), eq(apiKeys.id, auditEvents.actorId)))
    .where(and(eq(auditEvents.orgId, orgId), after ? lt(auditEvents.id, after) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(PAGE + 1);
  const page = rows.slice(0, PAGE);
  return {
    items: page.map(({ event, userEmail, keyName }) => ({
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
    nextCursor: rows.length > PAGE ? encodeCursor([page.at(-1)!.event.id]) : null,
  };
}
