import { errorBodyOf, toAppError } from "../errors";
import { type JsonAnswer, jsonAnswer } from "./answer";

/** The contract's error answer for anything thrown (unknown faults are logged by `toAppError`). */
export function errorAnswer(error: unknown, requestId: string, context: Record<string, unknown> = {}): JsonAnswer {
  const appError = toAppError(error, requestId, context);
  const retryAfter = appError.extra.retryAfterSeconds;
  return jsonAnswer(errorBodyOf(appError, requestId), appError.status, retryAfter ? { "retry-after": String(retryAfter) } : {});
}
