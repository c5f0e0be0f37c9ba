import { z } from "zod";
import { type OAuthAttempt, oauthStatusQuery } from "@/server/contract/api";
import { ids } from "@/server/contract/ids";
import type { OAuthErrorCode } from "@/server/contract/vocabulary";
import type { DomainContext } from "../domain/context";
import type { KeyScope } from "../domain/scope";
import { AppError, validationError, zodIssues } from "../errors";
import { parseInput } from "../validation";
import { ABANDONED_MESSAGE, endAbandonedAttempt } from "./lease";
import { attemptStatus, isAbandoned } from "./status";
import { type AttemptRow, findAttemptOfKey } from "./store";
import { readUntilEnded } from "./wait";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const stateInput = z.object({ state: ids.st });

const WAIT_MESSAGE = "must be a whole number of seconds, 1 to 30";

/**
 * `wait` as the query carries it: at most once, in plain digits (no "1e1",
 * no "+5"), then the route table's own range.
 */
const statusQuery = z.object({
  wait: z
    .array(z.string())
    .max(1, "must be given once")
    .transform((values) => values[0])
    .pipe(z.string().regex(/^[0-9]+$/, WAIT_MESSAGE).pipe(oauthStatusQuery.shape.wait.unwrap()).optional()),
});

export interface StatusInput {
  state: string;
  /** Every `wait` value in the query (a repeated one is refused). */
  wait?: string[];
}

export interface StatusOptions {
  /** The request's signal: the client going away ends the wait. */
  signal?: AbortSignal;
  /** The time of a plain read (tests pin it); a long-poll judges the attempt at the time it wakes. */
  now?: Date;
}

/**
 * GET /v1/social/oauth-status/:state. Only the key that created the state
 * sees it. With `wait`, a pending attempt is read again when its end is
 * announced, when it expires or its claim is abandoned, or when the wait is
 * over; the answer is then the plain read's. Waiting touches no database
 * connection, and nothing here counts against the rate limit (withApiKey
 * counted the request once).
 */
export async function getAttemptStatus(ctx: DomainContext, scope: KeyScope, input: StatusInput, opts: StatusOptions = {}) {
  const { state: id } = parseInput(stateInput, { state: input.state });
  const read = () => findAttemptOfKey(ctx, scope, id);
  const query = statusQuery.safeParse({ wait: input.wait ?? [] });
  const seconds = query.success ? query.data.wait : undefined;
  let attempt: AttemptRow | undefined;
  let stopped = false;
  if (seconds === undefined) attempt = await read();
  else {
    ({ row: attempt, stopped } = await readUntilEnded(ctx.waiters, id, read, { ms: seconds * 1000, signal: opts.signal }));
  }
  if (!attempt) throw new AppError("NOT_FOUND", `No OAuth attempt ${id} was created with this API key.`);
  // After the 404: the contract puts a missing state before a malformed query.
  if (!query.success) throw validationError(zodIssues(query.error));
  const now = seconds === undefined ? (opts.now ?? new Date()) : new Date();
  // The client left: nothing more is done for it.
  if (stopped) return serializeAttempt(attempt, now);
  // An abandoned claim is ended here, so what this read reports is what is stored from now on.
  if (isAbandoned(attempt, now) && (await endAbandonedAttempt(ctx, id, now))) attempt = (await read())!;
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
