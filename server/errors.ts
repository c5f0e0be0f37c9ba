/**
 * The one error model (CONTRACT.md §3). Domain functions throw `AppError`
 * with one of these codes; REST, tRPC and the CLI translate it, nothing else.
 */
export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN_SCOPE: 403,
  RETURN_URL_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  // Not in the contract's table: a known path asked with a method it does not serve.
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  PLATFORM_NOT_CONFIGURED: 503,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface Issue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
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

export const validationError = (issues: Issue[], message = "The request is invalid: see issues.") =>
  new AppError("VALIDATION", message, { issues });

/** Turns zod issues into the contract's `{ path, message }` list. */
export function zodIssues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(body)", message: issue.message }));
}

// postgres-js connection failures and PostgreSQL's "cannot serve you now" classes.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
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
