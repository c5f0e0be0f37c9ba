/** The console's view of OAuth attempts: every attempt of the organization in the mode it shows, newest first, filterable by the status rule. */
import { z } from "zod";
import { PLATFORMS } from "@/db/schema";
import { ids } from "@/server/contract/ids";
import { ATTEMPT_STATUSES } from "@/server/contract/vocabulary";
import type { DomainContext } from "../domain/context";
import type { ModeScope } from "../domain/scope";
import { AppError } from "../errors";
import { cursorSchema, decodeCursor, page } from "../pagination";
import { parseInput } from "../validation";
import { attemptStatus } from "./status";
import { findOrgAttempt, listOrgAttempts, type NamedAttemptRow } from "./store";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const stateIdInput = z.object({ id: ids.st });

export const attemptFilters = z.object({
  status: z.enum(ATTEMPT_STATUSES).optional(),
  platform: z.enum(PLATFORMS).optional(),
  projectId: ids.prj.optional(),
  cursor: cursorSchema.optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

const attemptCursor = z.tuple([z.iso.datetime(), ids.st]);

function summarize(r: NamedAttemptRow, now: Date) {
  const a = r.attempt;
  return {
    state: a.id,
    status: attemptStatus(a, now),
    platform: a.platform,
    projectId: a.projectId,
    projectName: r.projectName,
    keyId: a.apiKeyId,
    keyName: r.keyName,
    usageNote: a.usageNote,
    livemode: a.livemode,
    createdAt: a.createdAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
    completedAt: a.completedAt?.toISOString() ?? null,
    errorCode: a.errorCode,
    socialAccountId: a.socialAccountId,
  };
}

export async function listAttempts(ctx: DomainContext, scope: ModeScope, input: z.input<typeof attemptFilters>) {
  const { cursor, limit, ...filters } = parseInput(attemptFilters, input);
  const now = new Date();
  const after = cursor ? decodeCursor(cursor, attemptCursor) : undefined;
  const rows = await listOrgAttempts(
    ctx,
    scope,
    { ...filters, after: after && { createdAt: new Date(after[0]), id: after[1] }, limit: limit + 1 },
    now,
  );
  const { items, nextCursor } = page(rows, limit, (r) => [r.attempt.createdAt.toISOString(), r.attempt.id]);
  return { items: items.map((r) => summarize(r, now)), nextCursor };
}

export async function getAttempt(ctx: DomainContext, scope: ModeScope, state: string) {
  const { id } = parseInput(stateIdInput, { id: state });
  const r = await findOrgAttempt(ctx, scope, id);
  if (!r) throw new AppError("NOT_FOUND", `Attempt ${id} was not found.`);
  return {
    ...summarize(r, new Date()),
    returnUrl: r.attempt.returnUrl,
    scopes: r.attempt.scopes,
    grantedScopes: r.attempt.grantedScopes,
    missingScopes: r.attempt.missingScopes,
    errorMessage: r.attempt.errorMessage,
  };
}
