/**
 * Webhook endpoints (CONTRACT.md §3 and §8), for REST, the console and
 * ladmin alike. An endpoint belongs to one project and one mode, that of the
 * key (or the console's switch) that created it; one of the other mode is
 * as absent as one of another organization.
 */
import { and, asc, count, eq, gt } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/db/ids";
import { webhookEndpoints } from "@/db/schema";
import { accountListQuery, webhookEndpointRequest } from "@/server/contract/api";
import { ids } from "@/server/contract/ids";
import { WEBHOOK_EVENT_TYPES } from "@/server/contract/vocabulary";
import { recordAudit } from "../audit/record";
import { dateOf } from "../clock";
import { SEALED } from "../crypto/sealed";
import { type DomainContext, inTransaction } from "../domain/context";
import { inMode, isLive, type ModeScope, type OperatorScope, scopeOfRow } from "../domain/scope";
import { isEmbedded } from "../env";
import { AppError, validationError } from "../errors";
import { decodeCursor, page } from "../pagination";
import { requireActiveProject } from "../projects/service";
import { parseInput } from "../validation";
import { hostProblem, urlProblem } from "./address";
import { recordEvent } from "./events";
import { newWebhookSecret, ROTATION_OVERLAP_MS } from "./signing";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const projectIdInput = z.object({ projectId: ids.prj });
const endpointIdInput = z.object({ id: ids.we });

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** Endpoints one project may have in one mode: enough for a few environments, not a fan-out service. */
export const MAX_ENDPOINTS_PER_PROJECT = 10;

export function serializeEndpoint(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events ?? [...WEBHOOK_EVENT_TYPES],
    description: row.description,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The URL, checked as the contract asks: its text, then every address its host resolves to. */
async function checkUrl(ctx: DomainContext, url: string) {
  const rules = { allowPrivate: ctx.config.webhooksAllowPrivate, embedded: isEmbedded(ctx.config) };
  const problem = urlProblem(url, rules) ?? (await hostProblem(new URL(url).hostname, rules));
  if (problem) throw validationError([{ path: "url", message: problem }]);
}

/** `readBody` is called after the project's 404, as the contract orders a missing project before a bad body. */
export async function createWebhookEndpoint(ctx: DomainContext, scope: ModeScope, input: { projectId: string; readBody: () => Promise<unknown> }) {
  const { projectId } = parseInput(projectIdInput, input);
  await requireActiveProject(ctx, scope, projectId);
  const body = parseInput(webhookEndpointRequest, await input.readBody());
  await checkUrl(ctx, body.url);
  const [{ n }] = (await ctx.db
    .select({ n: count() })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), inMode(scope, webhookEndpoints.livemode)))) as [{ n: number }];
  if (Number(n) >= MAX_ENDPOINTS_PER_PROJECT) {
    throw validationError([{ path: "url", message: `a project has at most ${MAX_ENDPOINTS_PER_PROJECT} webhook endpoints per mode; delete one first` }]);
  }
  const id = newId("we");
  const secret = newWebhookSecret();
  const now = dateOf(ctx.clock);
  const row = await inTransaction(ctx, async (tx) => {
    const [created] = await tx.db
      .insert(webhookEndpoints)
      .values({
        id,
        orgId: scope.orgId,
        projectId,
        livemode: isLive(scope),
        url: body.url,
        events: body.events ? [...new Set(body.events)] : null,
        description: body.description ?? null,
        secretEnc: ctx.box.seal(secret, SEALED.webhookSecret.at(id)),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(tx, scope, { action: "webhook_endpoint.created", targetType: "webhook_endpoint", targetId: id, data: { projectId, url: body.url } });
    return created!;
  });
  return { ...serializeEndpoint(row), secret };
}

const listQuery = accountListQuery;
const endpointCursor = z.tuple([ids.we]);

export async function listWebhookEndpoints(ctx: DomainContext, scope: ModeScope, input: { projectId: string; limit?: string | null; cursor?: string | null }) {
  const { projectId } = parseInput(projectIdInput, input);
  await requireActiveProject(ctx, scope, projectId);
  const { limit, cursor } = parseInput(listQuery, { limit: input.limit ?? undefined, cursor: input.cursor ?? undefined });
  const after = cursor ? decodeCursor(cursor, endpointCursor)[0] : undefined;
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), inMode(scope, webhookEndpoints.livemode), after ? gt(webhookEndpoints.id, after) : undefined))
    .orderBy(asc(webhookEndpoints.id))
    .limit(limit + 1);
  const { items, nextCursor } = page(rows, limit, (r) => [r.id]);
  return { data: items.map(serializeEndpoint), nextCursor };
}

/** An endpoint of the scope's organization and mode; the operator (ladmin) finds any by its id. */
export async function requireEndpoint(ctx: DomainContext, scope: ModeScope | OperatorScope, endpointId: string): Promise<EndpointRow> {
  const { id } = parseInput(endpointIdInput, { id: endpointId });
  const tenant = scope.kind === "org" ? and(eq(webhookEndpoints.orgId, scope.orgId), inMode(scope, webhookEndpoints.livemode)) : undefined;
  const [row] = await ctx.db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), tenant)).limit(1);
  if (!row) {
    const where = scope.kind === "org" ? ` among this organization's ${scope.mode}-mode endpoints` : "";
    throw new AppError("NOT_FOUND", `Webhook endpoint ${id} was not found${where}.`);
  }
  return row;
}

export async function deleteWebhookEndpoint(ctx: DomainContext, scope: ModeScope | OperatorScope, endpointId: string) {
  const endpoint = await requireEndpoint(ctx, scope, endpointId);
  await inTransaction(ctx, async (tx) => {
    // Its deliveries go with it; a delivery job still queued then finds nothing to send.
    await tx.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    await recordAudit(tx, scopeOfRow(scope, endpoint.orgId), { action: "webhook_endpoint.deleted", targetType: "webhook_endpoint", targetId: endpoint.id, data: { url: endpoint.url } });
  });
  return { id: endpoint.id };
}

/** A new secret; the current one keeps signing beside it for ROTATION_OVERLAP_MS, so receivers can switch without losing events. */
export async function rotateWebhookSecret(ctx: DomainContext, scope: ModeScope, endpointId: string) {
  const endpoint = await requireEndpoint(ctx, scope, endpointId);
  const secret = newWebhookSecret();
  const now = dateOf(ctx.clock);
  const current = ctx.box.open(endpoint.secretEnc, SEALED.webhookSecret.at(endpoint.id));
  await inTransaction(ctx, async (tx) => {
    await tx.db
      .update(webhookEndpoints)
      .set({
        secretEnc: ctx.box.seal(secret, SEALED.webhookSecret.at(endpoint.id)),
        previousSecretEnc: ctx.box.seal(current, SEALED.webhookPreviousSecret.at(endpoint.id)),
        previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS),
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, endpoint.id));
    await recordAudit(tx, scope, { action: "webhook_endpoint.secret_rotated", targetType: "webhook_endpoint", targetId: endpoint.id });
  });
  return { secret };
}

/** Sends the endpoint a webhook.test event, through the same queue and signing as every event. */
export async function sendTestWebhook(ctx: DomainContext, scope: ModeScope, endpointId: string) {
  const endpoint = await requireEndpoint(ctx, scope, endpointId);
  if (endpoint.status !== "enabled") {
    throw validationError([{ path: "id", message: "the endpoint is disabled: enable it in the console before sending it a test event" }], "The endpoint is disabled.");
  }
  const target = { orgId: endpoint.orgId, projectId: endpoint.projectId, livemode: endpoint.livemode };
  const eventId = await inTransaction(ctx, (tx) => recordEvent(tx, target, "webhook.test", { endpointId: endpoint.id }, { onlyEndpointId: endpoint.id }));
  return { eventId };
}

/** The console's enable / disable. Enabling starts a fresh record: the run of failures that may have disabled it is forgotten. */
export async function setWebhookEndpointEnabled(ctx: DomainContext, scope: ModeScope, endpointId: string, enabled: boolean) {
  const endpoint = await requireEndpoint(ctx, scope, endpointId);
  const now = dateOf(ctx.clock);
  const row = await inTransaction(ctx, async (tx) => {
    const [updated] = await tx.db
      .update(webhookEndpoints)
      .set(enabled ? { status: "enabled", disabledReason: null, failingSince: null, updatedAt: now } : { status: "disabled", disabledReason: "manual", updatedAt: now })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    await recordAudit(tx, scope, { action: enabled ? "webhook_endpoint.enabled" : "webhook_endpoint.disabled", targetType: "webhook_endpoint", targetId: endpoint.id });
    return updated!;
  });
  return { ...serializeEndpoint(row), disabledReason: row.disabledReason };
}
