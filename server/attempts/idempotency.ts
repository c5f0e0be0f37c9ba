import { createHash } from "node:crypto";
import { and, eq, gt, lte } from "drizzle-orm";
import { idempotencyRecords } from "@/db/schema";
import { idempotencyKey } from "@/server/contract/api";
import { type DomainContext, inTransaction } from "../domain/context";
import type { KeyScope } from "../domain/scope";
import { AppError, validationError } from "../errors";

/**
 * `Idempotency-Key` on oauth-url (CONTRACT.md §3): per API key, the same key
 * and the same request answer the first response for 24 hours; the same key
 * with another request is a 409.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface IdempotentRequest {
  key: string;
  fingerprint: string;
}

/** The checked header, and the request's fingerprint over the project and the body. */
export function idempotentRequest(header: string, projectId: string, body: unknown): IdempotentRequest {
  const key = idempotencyKey.safeParse(header);
  if (!key.success) throw validationError([{ path: "Idempotency-Key", message: key.error.issues[0]!.message }]);
  return { key: key.data, fingerprint: requestFingerprint(projectId, body) };
}

/** The stored response for this key and request, null when there is none yet, 409 when the request differs. */
export async function findReplay<T>(ctx: DomainContext, scope: KeyScope, request: IdempotentRequest): Promise<T | null> {
  const [record] = await ctx.db
    .select()
    .from(idempotencyRecords)
    .where(
      and(
        eq(idempotencyRecords.apiKeyId, scope.actor.id),
        eq(idempotencyRecords.key, request.key),
        gt(idempotencyRecords.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS)),
      ),
    )
    .limit(1);
  if (!record) return null;
  if (record.requestHash !== request.fingerprint) {
    throw new AppError(
      "IDEMPOTENCY_CONFLICT",
      "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
    );
  }
  return record.responseBody as T;
}

class IdempotencyRace extends Error {}

/**
 * Does `write` and stores `response` under the key in one transaction. When a
 * concurrent request with the same key stored first, `write` is rolled back
 * and that request's response is returned instead.
 */
export async function writeOnce<T>(
  ctx: DomainContext,
  scope: KeyScope,
  request: IdempotentRequest,
  response: T,
  write: (tx: DomainContext) => Promise<void>,
): Promise<T> {
  const now = new Date();
  try {
    await inTransaction(ctx, async (tx) => {
      await write(tx);
      await tx.db
        .delete(idempotencyRecords)
        .where(
          and(
            eq(idempotencyRecords.apiKeyId, scope.actor.id),
            eq(idempotencyRecords.key, request.key),
            lte(idempotencyRecords.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)),
          ),
        );
      const stored = await tx.db
        .insert(idempotencyRecords)
        .values({ apiKeyId: scope.actor.id, key: request.key, requestHash: request.fingerprint, responseStatus: 200, responseBody: response })
        .onConflictDoNothing()
        .returning({ key: idempotencyRecords.key });
      if (!stored.length) throw new IdempotencyRace();
    });
  } catch (error) {
    if (!(error instanceof IdempotencyRace)) throw error;
    const replay = await findReplay<T>(ctx, scope, request);
    if (!replay) throw new Error("idempotency record vanished during a race");
    return replay;
  }
  return response;
}

/** SHA-256 over the project and the body with its keys sorted: formatting does not matter. */
function requestFingerprint(projectId: string, body: unknown): string {
  return createHash("sha256").update(JSON.stringify([projectId, canonical(body)])).digest("hex");
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
