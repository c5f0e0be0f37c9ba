/**
 * One try of one delivery (the webhook-deliver job): sign and send the
 * event's body, then record what happened in one transaction. A 2xx ends the
 * delivery and the endpoint's run of failures; a 410 disables the endpoint;
 * anything else is tried again on the schedule (schedule.ts) until the tries
 * run out, and an endpoint whose every delivery has failed for five days is
 * disabled. A job run twice for the same try (its worker died mid-send)
 * records it once.
 */
import { and, eq, sql } from "drizzle-orm";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { dateOf } from "../clock";
import { SEALED } from "../crypto/sealed";
import { type DomainContext, inTransaction } from "../domain/context";
import { isEmbedded } from "../env";
import { log } from "../log";
import { urlProblem } from "./address";
import { enqueueDeliveries } from "./events";
import { DISABLE_AFTER_FAILING_MS, MAX_ATTEMPTS, nextAttemptAt } from "./schedule";
import { type SendOptions, sendWebhook } from "./send";
import { signedHeaders } from "./signing";

type Endpoint = typeof webhookEndpoints.$inferSelect;

/** The secrets that sign now: the current one, and the previous one while its overlap lasts. */
function signingSecrets(ctx: DomainContext, endpoint: Endpoint, now: Date): string[] {
  const secrets = [ctx.box.open(endpoint.secretEnc, SEALED.webhookSecret.at(endpoint.id))];
  if (endpoint.previousSecretEnc && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(ctx.box.open(endpoint.previousSecretEnc, SEALED.webhookPreviousSecret.at(endpoint.id)));
  }
  return secrets;
}

export type DeliveryOutcome = "succeeded" | "retrying" | "failed" | "skipped";

export async function deliverWebhook(ctx: DomainContext, deliveryId: string, opts: Partial<SendOptions> = {}): Promise<DeliveryOutcome> {
  const [found] = await ctx.db
    .select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .limit(1);
  if (!found || found.delivery.status !== "pending") return "skipped";
  const { delivery, event, endpoint } = found;
  const number = delivery.attempts + 1;
  const sentAt = dateOf(ctx.clock);

  if (endpoint.status !== "enabled") {
    await ctx.db
      .update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null, lastError: "the endpoint is disabled", updatedAt: sentAt })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, "pending")));
    return "failed";
  }
  // The URL was checked at creation; its scheme is checked again against this instance's rules (which may have changed).
  const problem = urlProblem(endpoint.url, { allowPrivate: ctx.config.webhooksAllowPrivate, embedded: isEmbedded(ctx.config) });
  const result = problem
    ? { status: null, latencyMs: 0, error: `the URL ${problem}` }
    : await sendWebhook(endpoint.url, signedHeaders(event.id, event.body, sentAt, signingSecrets(ctx, endpoint, sentAt)), event.body, {
        allowPrivate: ctx.config.webhooksAllowPrivate,
        ...opts,
      });

  const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
  // A success ends the endpoint's run of failures; a 410 disables it, and so do five days of nothing but failures.
  const failingSince = succeeded ? null : (endpoint.failingSince ?? sentAt);
  const disable = result.status === 410 ? "gone" : failingSince && sentAt.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS ? "failing" : null;
  const retryAt = succeeded || disable || number >= MAX_ATTEMPTS ? null : nextAttemptAt(number, dateOf(ctx.clock));
  const outcome: DeliveryOutcome = succeeded ? "succeeded" : retryAt ? "retrying" : "failed";

  return inTransaction(ctx, async (tx) => {
    // The endpoint's row first, as deleting the endpoint takes it (before cascading to its
    // deliveries): locked the other way round, a delete during this write deadlocked (a 500).
    const [stillThere] = await tx.db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id)).for("no key update");
    if (!stillThere) return "skipped" as const;
    const recorded = await tx.db
      .insert(webhookAttempts)
      .values({ deliveryId: delivery.id, number, attemptedAt: sentAt, statusCode: result.status, latencyMs: result.latencyMs, error: result.error, nextRetryAt: retryAt })
      .onConflictDoNothing()
      .returning({ number: webhookAttempts.number });
    // Another run of this job recorded this try already: what it decided stands.
    if (recorded.length === 0) return "skipped" as const;
    await tx.db
      .update(webhookDeliveries)
      .set({
        status: outcome === "retrying" ? "pending" : outcome,
        attempts: number,
        nextAttemptAt: retryAt,
        lastStatusCode: result.status,
        lastError: result.error,
        updatedAt: sentAt,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    if (retryAt) await enqueueDeliveries(tx, [delivery.id], retryAt);
    await updateEndpointHealth(tx, endpoint.id, { failingSince, disable, at: sentAt });
    return outcome;
  });
}

async function updateEndpointHealth(ctx: DomainContext, endpointId: string, health: { failingSince: Date | null; disable: "gone" | "failing" | null; at: Date }) {
  const { failingSince, disable, at } = health;
  await ctx.db
    .update(webhookEndpoints)
    .set({
      // A concurrent try may have begun the run of failures a moment earlier: the earliest stands.
      failingSince: failingSince ? sql`coalesce(${webhookEndpoints.failingSince}, ${failingSince.toISOString()}::timestamptz)` : null,
      ...(disable && { status: "disabled" as const, disabledReason: disable, updatedAt: at }),
    })
    .where(eq(webhookEndpoints.id, endpointId));
  if (!disable) return;
  log.warn("webhook endpoint disabled", { endpointId, reason: disable });
  // Its other pending deliveries end now rather than at their next try.
  await ctx.db
    .update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null, lastError: "the endpoint was disabled", updatedAt: at })
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, "pending")));
}
