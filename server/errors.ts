import { ERROR_STATUS, type ErrorBody, type ErrorCode, type Issue } from "./contract/errors";
import { describeError, log } from "./log";

export { ERROR_STATUS, type ErrorCode, type Issue } from "./contract/errors";

/**
 * The one error model (CONTRACT.md §3). Domain functions throw `AppError`
 * with one of the contract's codes; `toAppError` is the one translation of
 * anything thrown, which REST, tRPC and the CLI all use.
 */
export class AppError extends Error {
  readonly status: number;
  /** Set by the surface that answers it (tRPC), so the caller can quote it. */
  requestId?: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: Issue[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

/**
 * Anything thrown, as the AppError a caller may see. Unknown faults are
 * logged here (with the request id, the error class and stack frames, never a
 * failed query's parameters) and answered with a generic message.
 */
export function toAppError(error: unknown, requestId: string, context: Record<string, unknown> = {}): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) {
    log.error("database unavailable", { requestId, ...context, error: describeError(error) });
    return new AppError("UNAVAILABLE", "The service is temporarily unavailable. Retry shortly.", { retryAfterSeconds: 5 });
  }
  log.error("unhandled error", { requestId, ...context, error: describeError(error), stack: stackFrames(error) });
  return new AppError("INTERNAL", `Something went wrong on our side. Quote request id ${requestId} if you contact support.`);
}

/** The contract's JSON error body for an AppError. */
export function errorBodyOf(error: AppError, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message, requestId } };
  if (error.code === "VALIDATION") body.error.issues = error.extra.issues ?? [];
  return body;
}

/** The stack's frames without its first line (which repeats the message, and a failed query's message holds its parameters). */
export function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack.split("\n").filter((line) => /^\s+at /.test(line)).join("\n");
}

export const validationError = (issues: Issue[], message = "The request is invalid: see issues.") =>
  new AppError("VALIDATION", message, { issues });

/** Turns zod issues into the contract's `{ path, message }` list; one unknown field is the issue's path. */
export function zodIssues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }> }): Issue[] {
  return error.issues.map((issue) => {
    const path = issue.code === "unrecognized_keys" && issue.keys?.length === 1 ? [...issue.path, issue.keys[0]!] : issue.path;
    return { path: path.map(String).join(".") || "(body)", message: issue.message };
  });
}

// postgres-js connection failures and PostgreSQL's "cannot serve you now" classes.
// EPIPE: a query written to a socket PostgreSQL closed a moment before (seen mid-shutdown in the fault suite).
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** The `code` of an error or of any error in its cause chain (drizzle wraps driver errors), as found by `test`. */
function hasCode(error: unknown, test: (code: string) => boolean): boolean {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && test(code)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => hasCode(inner, test))) return true;
  }
  return false;
}

/** True when an error (or any of its causes) says the database is unreachable. */
export const isDatabaseUnavailable = (error: unknown) => hasCode(error, (code) => UNAVAILABLE_CODES.has(code) || code.startsWith("08"));

/** PostgreSQL unique_violation, possibly wrapped by drizzle. */
export const isUniqueViolation = (error: unknown) => hasCode(error, (code) => code === "23505");
