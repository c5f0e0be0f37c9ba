import { z } from "zod";

/**
 * Every error code any surface answers (CONTRACT.md §3), with its HTTP
 * status. REST bodies, tRPC errors, ladmin's exit lines and the OpenAPI
 * document are all derived from this one table.
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
  NEEDS_REAUTH: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  PLATFORM_NOT_CONFIGURED: 503,
  UNAVAILABLE: 503,
} as const;

export const errorCode = z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]);
export type ErrorCode = z.infer<typeof errorCode>;

export const issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof issue>;

/** The one error body (CONTRACT.md §3); `issues` only on VALIDATION. */
export const errorBody = z.object({
  error: z.object({
    code: errorCode,
    message: z.string(),
    requestId: z.string(),
    issues: z.array(issue).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBody>;
