import { LayersError } from "./errors.js";
import type { ApiErrorCode, Issue } from "./types.js";

/**
 * One HTTP exchange with the API, and the policy around it: the Bearer key,
 * a timeout per call, retries with backoff on 429 and 503 (honouring
 * `Retry-After`) and on lost connections where resending is safe, and the
 * API's error body turned into a LayersError. Only `fetch` is used, so the
 * SDK runs on Node 20+, Deno, Bun, edge runtimes and browsers alike.
 */

/** Options every call takes. */
export interface RequestOptions {
  /**
   * The most this call may take, in milliseconds, per HTTP request (a
   * retry gets a fresh one). Without it: the client's `timeoutMs` (30 s by
   * default), plus the wait of a long-poll.
   */
  timeoutMs?: number;
  /** Retries of this call, instead of the client's `maxRetries`. */
  maxRetries?: number;
  /** Aborts the call (and any wait before a retry): it then throws LayersError ABORTED. */
  signal?: AbortSignal;
}

export interface TransportConfig {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  fetch: typeof fetch;
}

export interface Call {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Sent as `Idempotency-Key`; the same on every retry of the call. */
  idempotencyKey?: string;
  /** The call may be sent again when its answer was lost: it changes nothing twice. */
  resendable?: boolean;
  /** Added to the client's default timeout: how long the server may hold a long-poll. */
  holdMs?: number;
  options?: RequestOptions;
}

/** Longest `Retry-After` the SDK waits out itself; a longer one is thrown to the caller as it is. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

export class Transport {
  constructor(private readonly config: TransportConfig) {}

  async request<T>(call: Call): Promise<T> {
    const options = call.options ?? {};
    const maxRetries = options.maxRetries ?? this.config.maxRetries;
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs + (call.holdMs ?? 0);
    const resendable = call.resendable ?? (call.method !== "POST" || call.idempotencyKey !== undefined);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.send<T>(call, timeoutMs, options.signal);
      if (!(outcome instanceof LayersError)) return outcome.value;
      const delay = attempt < maxRetries ? retryDelay(outcome, attempt, resendable) : null;
      if (delay === null) throw outcome;
      await sleep(delay, options.signal);
    }
  }

  /** One request: its parsed answer, or the LayersError it amounts to (returned, so the caller decides on a retry). */
  private async send<T>(call: Call, timeoutMs: number, signal: AbortSignal | undefined): Promise<{ value: T } | LayersError> {
    if (signal?.aborted) return aborted(signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forward = () => controller.abort();
    signal?.addEventListener("abort", forward, { once: true });
    try {
      const response = await this.config.fetch(this.url(call), {
        method: call.method,
        headers: this.headers(call),
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
        redirect: "error",
      });
      // The body is read under the same timeout: a stalled body is a timeout too.
      const text = await response.text();
      if (response.ok) return { value: parseSuccess<T>(response, text) };
      return apiError(response, text);
    } catch (error) {
      if (timedOut) {
        return new LayersError({ status: 0, code: "TIMEOUT", message: `No answer from the Layers API within ${timeoutMs} ms (${call.method} ${call.path}).` }, { cause: error });
      }
      if (signal?.aborted) return aborted(signal);
      if (error instanceof LayersError) return error;
      return new LayersError(
        { status: 0, code: "NETWORK_ERROR", message: `Could not reach the Layers API at ${this.config.baseUrl} (${call.method} ${call.path}): ${describe(error)}` },
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  }

  private url(call: Call): string {
    const url = new URL(this.config.baseUrl + call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    return url.toString();
  }

  private headers(call: Call): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.config.apiKey}`, accept: "application/json" };
    if (call.body !== undefined) headers["content-type"] = "application/json";
    if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey;
    return headers;
  }
}

/**
 * How long to wait before retrying, or null for "do not retry":
 * - 429 RATE_LIMITED: always (the request was refused before anything ran),
 *   after `Retry-After`, unless it asks for more than MAX_RETRY_AFTER_MS.
 * - 503 (but not PLATFORM_NOT_CONFIGURED, which waiting does not fix), and a
 *   request that got no answer: only when resending is safe (GET, DELETE, a
 *   refresh, a request with an Idempotency-Key), after `Retry-After` or a
 *   backoff.
 * - Anything else, timeouts included (the call already waited its whole
 *   timeout), is thrown at once.
 */
function retryDelay(error: LayersError, attempt: number, resendable: boolean): number | null {
  const transient = error.status === 429 || (resendable && ((error.status === 503 && error.code !== "PLATFORM_NOT_CONFIGURED") || error.code === "NETWORK_ERROR"));
  if (!transient) return null;
  if (error.retryAfter !== undefined) return error.retryAfter * 1000 > MAX_RETRY_AFTER_MS ? null : error.retryAfter * 1000;
  // Exponential, with jitter so that many clients refused together do not come back together.
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function parseSuccess<T>(response: Response, text: string): T {
  if (response.status === 204 || text === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new LayersError(
      { status: response.status, code: "INVALID_RESPONSE", message: `The Layers API answered ${response.status} with a body that is not JSON.`, requestId: requestIdOf(response) },
      { cause: error },
    );
  }
}

interface ErrorBody {
  error: { code: ApiErrorCode; message: string; requestId?: string; issues?: Issue[] };
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === "string" && typeof error.message === "string";
}

/** A non-2xx answer as a LayersError: from the API's error body, or (a proxy's page) from the status alone. */
function apiError(response: Response, text: string): LayersError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
  if (!isErrorBody(body)) {
    return new LayersError({
      status: response.status,
      code: "INVALID_RESPONSE",
      message: `The Layers API answered ${response.status} without its JSON error body (a proxy in between?).`,
      requestId: requestIdOf(response),
      retryAfter,
    });
  }
  const { code, message, requestId, issues } = body.error;
  return new LayersError({ status: response.status, code, message, requestId: requestId ?? requestIdOf(response), issues, retryAfter });
}

const requestIdOf = (response: Response) => response.headers.get("x-request-id") ?? undefined;

/** `Retry-After` in seconds: a number of seconds, or an HTTP date. */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function aborted(signal: AbortSignal): LayersError {
  return new LayersError({ status: 0, code: "ABORTED", message: "The call was aborted by its AbortSignal." }, { cause: signal.reason });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch says "fetch failed" and keeps the reason (ECONNREFUSED...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
