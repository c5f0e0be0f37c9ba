import type { ApiErrorCode, Issue } from "./types.js";

/**
 * The codes a `LayersError` carries: the API's own (from its error body)
 * and the SDK's, for failures that never got an answer from the API. The
 * SDK's all come with `status: 0`, except INVALID_RESPONSE, which keeps the
 * HTTP status of the reply it could not read.
 */
export const SDK_ERROR_CODES = {
  /** The request never got an HTTP answer (DNS, refused connection, reset). */
  NETWORK_ERROR: "NETWORK_ERROR",
  /** No answer within the call's timeout. */
  TIMEOUT: "TIMEOUT",
  /** The caller's AbortSignal fired. */
  ABORTED: "ABORTED",
  /** An answer that is not the API's JSON (a proxy's HTML page, a truncated body). */
  INVALID_RESPONSE: "INVALID_RESPONSE",
  /** No API key: neither `apiKey` nor LAYERS_API_KEY. */
  MISSING_API_KEY: "MISSING_API_KEY",
  /** A live key (`lp_live_`) in a browser, where anyone could read it. */
  LIVE_KEY_IN_BROWSER: "LIVE_KEY_IN_BROWSER",
} as const;
export type SdkErrorCode = keyof typeof SDK_ERROR_CODES;
export type LayersErrorCode = ApiErrorCode | SdkErrorCode;

/**
 * Every failure of an API call. `status` is the HTTP status (0 when there
 * was no answer), `code` the machine-readable reason, `message` a sentence
 * that says what to do, `requestId` the id to quote to the operator (from
 * the error body, else the `X-Request-Id` header), `issues` the field-level
 * problems of a VALIDATION error, and `retryAfter` the seconds the API asked
 * to wait (429 and 503), when it said.
 */
export class LayersError extends Error {
  override readonly name = "LayersError";
  readonly status: number;
  readonly code: LayersErrorCode;
  readonly requestId: string | undefined;
  readonly issues: Issue[] | undefined;
  readonly retryAfter: number | undefined;

  constructor(
    init: { status: number; code: LayersErrorCode; message: string; requestId?: string; issues?: Issue[]; retryAfter?: number },
    options?: { cause?: unknown },
  ) {
    super(init.message, options);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.issues = init.issues;
    this.retryAfter = init.retryAfter;
  }
}

/** Why `Layers.webhooks.verify` refused a delivery. */
export type WebhookErrorCode =
  /** A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is absent or malformed. */
  | "MISSING_HEADERS"
  /** The secret is not `whsec_` + base64. */
  | "INVALID_SECRET"
  /** No `v1` signature in the header matches the body under this secret. */
  | "INVALID_SIGNATURE"
  /** `webhook-timestamp` is further from now than the tolerance (5 minutes by default): a replay, or a wrong clock. */
  | "TIMESTAMP_OUT_OF_RANGE"
  /** The signature is good but the body is not a JSON event. */
  | "INVALID_PAYLOAD";

/**
 * A webhook delivery that must not be trusted. Answer it with a 400 and do
 * not act on it. It is not a LayersError: nothing was asked of the API.
 */
export class LayersWebhookError extends Error {
  override readonly name = "LayersWebhookError";
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
