import { errorBodyOf, toAppError } from "../errors";
import { jsonText } from "./jsonText";

/**
 * A JSON answer. `Response.json()` costs about twice what a Response over the
 * serialised text does (undici builds the body through extra steps), and
 * every /v1 answer is one of these.
 */
export function json(body: unknown, status = 200): Response {
  return new Response(jsonText(body), { status, headers: { "Content-Type": "application/json" } });
}

/** The contract's error body for anything thrown (unknown faults are logged by `toAppError`). */
export function errorResponse(error: unknown, requestId: string, context: Record<string, unknown> = {}): Response {
  const appError = toAppError(error, requestId, context);
  const response = json(errorBodyOf(appError, requestId), appError.status);
  if (appError.extra.retryAfterSeconds) response.headers.set("Retry-After", String(appError.extra.retryAfterSeconds));
  return response;
}
