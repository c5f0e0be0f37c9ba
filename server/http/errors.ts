import { AppError, type ErrorCode, isDatabaseUnavailable } from "../errors";
import { describeError, log } from "../log";

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** The contract's error body. Unknown faults are logged with the request id and told apart from nothing. */
export function errorResponse(error: unknown, requestId: string, context: Record<string, unknown> = {}): Response {
  let appError: AppError;
  if (error instanceof AppError) appError = error;
  else if (isDatabaseUnavailable(error)) {
    log.error("database unavailable", { requestId, ...context, error: describeError(error) });
    appError = new AppError("UNAVAILABLE", "The service is temporarily unavailable. Retry shortly.", { retryAfterSeconds: 5 });
  } else {
    log.error("unhandled error", { requestId, ...context, error: describeError(error), stack: error instanceof Error ? error.stack : undefined });
    appError = new AppError("INTERNAL", `Something went wrong on our side. Quote request id ${requestId} if you contact support.`);
  }
  const body: { error: { code: ErrorCode; message: string; requestId: string; issues?: unknown } } = {
    error: { code: appError.code, message: appError.message, requestId },
  };
  if (appError.code === "VALIDATION") body.error.issues = appError.extra.issues ?? [];
  const response = Response.json(body, { status: appError.status });
  if (appError.extra.retryAfterSeconds) response.headers.set("Retry-After", String(appError.extra.retryAfterSeconds));
  return response;
}
