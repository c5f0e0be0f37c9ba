import { errorBodyOf, toAppError } from "../errors";

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** The contract's error body for anything thrown (unknown faults are logged by `toAppError`). */
export function errorResponse(error: unknown, requestId: string, context: Record<string, unknown> = {}): Response {
  const appError = toAppError(error, requestId, context);
  const response = Response.json(errorBodyOf(appError, requestId), { status: appError.status });
  if (appError.extra.retryAfterSeconds) response.headers.set("Retry-After", String(appError.extra.retryAfterSeconds));
  return response;
}
