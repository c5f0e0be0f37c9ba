import { z } from "zod";
import type { OAuthAttempt } from "@/server/contract/api";
import { ids } from "@/server/contract/ids";
import type { OAuthErrorCode } from "@/server/contract/vocabulary";
import type { DomainContext } from "../domain/context";
import type { KeyScope } from "../domain/scope";
import { AppError } from "../errors";
import { parseInput } from "../validation";
import { ABANDONED_MESSAGE, endAbandonedAttempt } from "./lease";
import { attemptStatus, isAbandoned } from "./status";
import { type AttemptRow, findAttemptOfKey } from "./store";

/** GET /v1/social/oauth-status/:state. Only the key that created the state sees it. */
export async function getAttemptStatus(ctx: DomainContext, scope: KeyScope, state: string, now = new Date()) {
  const { state: id } = parseInput(z.object({ state: ids.st }), { state });
  let attempt = await findAttemptOfKey(ctx, scope, id);
  // An abandoned claim is ended here, so what this read reports is what is stored from now on.
  if (attempt && isAbandoned(attempt, now) && (await endAbandonedAttempt(ctx, id, now))) attempt = await findAttemptOfKey(ctx, scope, id);
  if (!attempt) throw new AppError("NOT_FOUND", `No OAuth attempt ${id} was created with this API key.`);
  return serializeAttempt(attempt, now);
}

/** An attempt as the contract reports it (CONTRACT.md §3): outcome fields only for the outcome it had. */
export function serializeAttempt(attempt: AttemptRow, now = new Date()): OAuthAttempt {
  const status = attemptStatus(attempt, now);
  const common = {
    state: attempt.id,
    platform: attempt.platform,
    projectId: attempt.projectId,
    usageNote: attempt.usageNote,
    createdAt: attempt.createdAt.toISOString(),
    expiresAt: attempt.expiresAt.toISOString(),
    completedAt: attempt.completedAt?.toISOString() ?? null,
  };
  // The columns are nullable because they are filled only when the attempt finishes; a finished row has them.
  switch (status) {
    case "completed":
      return { ...common, status, socialAccountId: attempt.socialAccountId!, grantedScopes: attempt.grantedScopes ?? [], missingScopes: attempt.missingScopes ?? [] };
    case "failed":
      // A claim not yet ended by the sweep reads as the failure the sweep will store.
      if (isAbandoned(attempt, now)) return { ...common, status, error: { code: "server_error", message: ABANDONED_MESSAGE } };
      return { ...common, status, error: { code: attempt.errorCode as OAuthErrorCode, message: attempt.errorMessage ?? "" } };
    default:
      return { ...common, status };
  }
}
