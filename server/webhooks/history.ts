/**
 * What the console shows of webhooks (CONTRACT.md §8): an organization's
 * endpoints in one mode, each endpoint's deliveries (newest first), a
 * delivery's tries and the exact body it sends, and resending any event.
 */
import { and, desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/db/ids";
import { projects, webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { ids } from "@/server/contract/ids";
import { recordAudit } from "../audit/record";
import { dateOf } from "../clock";
import { type DomainContext, inTransaction } from "../domain/context";
import { inMode, type ModeScope } from "../domain/scope";
import { AppError } from "../errors";
import { decodeCursor, page } from "../pagination";
import { parseInput } from "../validation";
import { requireEndpoint, serializeEndpoint } from "./endpoints";
import { enqueueDeliveries } from "./events";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const deliveryIdInput = z.object({ id: ids.whd });

const PAGE = 50;

/** The organization's endpoints in the scope's mode, with their projects, and why a disabled one is disabled. */
export async function listOrgEndpoints(ctx: DomainContext, scope: ModeScope, input: { projectId?: string } = {}) {
  const rows = await ctx.db
    .select({ endpoint: webhookEndpoints, projectName: projects.name })
    .from(webhookEndpoints)
    .innerJoin(projects, eq(projects.id, webhookEndpoints.projectId))
    .where(and(eq(webhookEndpoints.orgId, scope.orgId), inMode(scope, webhookEndpoints.livemode), input.projectId ? eq(webhookEndpoints.projectId, input.projectId) : undefined))
    .orderBy(desc(webhookEndpoints.id));
  return rows.map(({ endpoint, projectName }) => ({
    ...serializeEndpoint(endpoint),
    projectId: endpoint.projectId,
    projectName,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    secretRotatedUntil: endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > dateOf(ctx.clock) ? endpoint.previousSecretExpiresAt.toISOString() : null,
  }));
}

const deliveryCursor = z.tuple([ids.whd]);

/** An endpoint's deliveries, newest first, a page at a time. */
export async function listDeliveries(ctx: DomainContext, scope: ModeScope, input: { endpointId: string; cursor?: string }) {
  const endpoint = await requireEndpoint(ctx, scope, input.endpointId);
  const before = input.cursor ? decodeCursor(input.cursor, deliveryCursor)[0] : undefined;
  const rows = await ctx.db
    .select({ delivery: webhookDeliveries, type: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.endpointId, endpoint.id), before ? lt(webhookDeliveries.id, before) : undefined))
    .orderBy(desc(webhookDeliveries.id))
    .limit(PAGE + 1);
  const { items, nextCursor } = page(rows, PAGE, (r) => [r.delivery.id]);
  return {
    endpoint: { ...serializeEndpoint(endpoint), disabledReason: endpoint.disabledReason },
    items: items.map(({ delivery, type }) => ({
      id: delivery.id,
      eventId: delivery.eventId,
      type,
      status: delivery.status,
      attempts: delivery.attempts,
      lastStatusCode: delivery.lastStatusCode,
      lastError: delivery.lastError,
      nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
      createdAt: delivery.createdAt.toISOString(),
    })),
    nextCursor,
  };
}

async function requireDelivery(ctx: DomainContext, scope: ModeScope, deliveryId: string) {
  const { id } = parseInput(deliveryIdInput, { id: deliveryId });
  const [row] = await ctx.db
    .select({ delivery: webhookDeliveries, event: webhookEvents })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.id, id), eq(webhookEndpoints.orgId, scope.orgId), inMode(scope, webhookEndpoints.livemode)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", `Webhook delivery ${id} was not found among this organization's ${scope.mode}-mode endpoints.`);
  return row;
}

/** One delivery: every try (status, latency, error, when the next was planned) and the exact body it sends. */
export async function getDelivery(ctx: DomainContext, scope: ModeScope, deliveryId: string) {
  const { delivery, event } = await requireDelivery(ctx, scope, deliveryId);
  const tries = await ctx.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery.id)).orderBy(webhookAttempts.number);
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    status: delivery.status,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    event: { id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), body: event.body },
    attempts: tries.map((t) => ({
      number: t.number,
      attemptedAt: t.attemptedAt.toISOString(),
      statusCode: t.statusCode,
      latencyMs: t.latencyMs,
      error: t.error,
      nextRetryAt: t.nextRetryAt?.toISOString() ?? null,
    })),
  };
}

/** Sends a delivery's event to its endpoint again, as a new delivery under the same webhook-id. */
export async function resendDelivery(ctx: DomainContext, scope: ModeScope, deliveryId: string) {
  const { delivery } = await requireDelivery(ctx, scope, deliveryId);
  const endpoint = await requireEndpoint(ctx, scope, delivery.endpointId);
  if (endpoint.status !== "enabled") throw new AppError("VALIDATION", "The endpoint is disabled: enable it before resending to it.", { issues: [{ path: "id", message: "the endpoint is disabled" }] });
  const now = dateOf(ctx.clock);
  const id = newId("whd");
  await inTransaction(ctx, async (tx) => {
    await tx.db.insert(webhookDeliveries).values({ id, eventId: delivery.eventId, endpointId: endpoint.id, nextAttemptAt: now, createdAt: now, updatedAt: now });
    await enqueueDeliveries(tx, [id]);
    await recordAudit(tx, scope, { action: "webhook_event.resent", targetType: "webhook_endpoint", targetId: endpoint.id, data: { eventId: delivery.eventId } });
  });
  return { id };
}
