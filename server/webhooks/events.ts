/**
 * Webhook events (CONTRACT.md §8), written in the transaction of the change
 * they report: the event, a delivery for every enabled endpoint of the
 * project and mode that takes its type, and a delivery job per delivery,
 * sent through that same transaction (pg-boss's job table is in this
 * database). If the change commits, all of it does; a crash right after the
 * commit loses nothing, and a rollback sends nothing.
 */
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { fromDrizzle } from "pg-boss";
import { newId } from "@/db/ids";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import type { WebhookEventType } from "@/server/contract/vocabulary";
import { dateOf } from "../clock";
import type { DomainContext } from "../domain/context";
import { QUEUES } from "../jobs/queues";

export interface EventTarget {
  orgId: string;
  projectId: string;
  livemode: boolean;
}

/** Sends the delivery jobs of `deliveryIds` in the context's transaction, due at `startAfter`. */
export async function enqueueDeliveries(ctx: DomainContext, deliveryIds: string[], startAfter?: Date) {
  if (deliveryIds.length === 0) return;
  const boss = ctx.jobs.boss;
  await boss.insert(
    QUEUES.webhookDeliver.name,
    deliveryIds.map((deliveryId) => ({ data: { deliveryId }, ...(startAfter && { startAfter }) })),
    { db: fromDrizzle(ctx.db as never, sql as never) },
  );
}

/**
 * Records one event for `target` and queues its deliveries. `onlyEndpointId`:
 * the test event, for that endpoint alone (whatever types it takes). Call it
 * inside the transaction of the change; returns the event id.
 */
export async function recordEvent(
  ctx: DomainContext,
  target: EventTarget,
  type: WebhookEventType,
  data: Record<string, unknown>,
  opts: { onlyEndpointId?: string } = {},
): Promise<string> {
  const now = dateOf(ctx.clock);
  const id = newId("evt");
  await ctx.db.insert(webhookEvents).values({
    id,
    orgId: target.orgId,
    projectId: target.projectId,
    livemode: target.livemode,
    type,
    body: JSON.stringify({ type, timestamp: now.toISOString(), data }),
    createdAt: now,
  });
  const endpoints = await ctx.db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.projectId, target.projectId),
        eq(webhookEndpoints.livemode, target.livemode),
        eq(webhookEndpoints.status, "enabled"),
        opts.onlyEndpointId ? eq(webhookEndpoints.id, opts.onlyEndpointId) : or(isNull(webhookEndpoints.events), sql`${type} = any(${webhookEndpoints.events})`),
      ),
    );
  if (endpoints.length === 0) return id;
  const deliveries = endpoints.map((endpoint) => ({ id: newId("whd"), eventId: id, endpointId: endpoint.id, nextAttemptAt: now, createdAt: now, updatedAt: now }));
  await ctx.db.insert(webhookDeliveries).values(deliveries);
  await enqueueDeliveries(ctx, deliveries.map((d) => d.id));
  return id;
}
