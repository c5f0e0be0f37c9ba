import { describeError } from "@/server/log";
import { PlatformError } from "./types";

type PlatformErrorCode = PlatformError["code"];

/** The subset of `fetch` the adapters use; tests inject a fake. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** PLATFORMS.md quirk 5: a slow or dead platform must never hang a callback. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** What every adapter factory accepts besides its endpoints. */
export interface AdapterOptions {
  fetch?: Fetch;
  timeoutMs?: number;
  /** Milliseconds since the epoch; lifetimes are computed from it. */
  now?: () => number;
}

export interface OutboundRequest {
  /** Names the call in error messages and log details, e.g. "TikTok token". */
  operation: string;
  method: "GET" | "POST";
  url: string;
  query?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  bearerToken?: string;
  /** The code for network failures and timeouts. */
  failCode: PlatformErrorCode;
}

export interface PlatformResponse {
  status: number;
  text: string;
  /**
   * A PlatformError naming this call and its HTTP status. Every value this
   * request carried as a credential is scrubbed from message and detail.
   */
  fail(code: PlatformErrorCode, message: string, detail?: Record<string, unknown>): PlatformError;
  /**
   * The body as JSON, or `fail(code)` when it is not JSON. Numbers under the
   * `exactKeys` object keys are kept as their exact source text (ids above 2^53).
   */
  json(code: PlatformErrorCode, exactKeys?: readonly string[]): unknown;
}

/** Form and query fields whose values are credentials or one-time grants. */
const SECRET_FIELDS = new Set(["client_secret", "code", "code_verifier", "access_token", "refresh_token", "token"]);

/**
 * One outbound call to a platform: a timeout on the whole exchange (headers
 * and body), redirects not followed, and every failure a PlatformError that
 * carries no token or secret.
 */
export async function platformRequest(options: AdapterOptions, request: OutboundRequest): Promise<PlatformResponse> {
  const fetchImpl = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const scrub = redactor(secretValues(request));
  const fail = (code: PlatformErrorCode, message: string, detail: Record<string, unknown> = {}) =>
    new PlatformError(code, scrub(message), scrubDeep({ operation: request.operation, ...detail }, scrub));

  const url = new URL(request.url);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { accept: "application/json" };
  if (request.bearerToken !== undefined) headers.authorization = `Bearer ${request.bearerToken}`;
  let body: string | undefined;
  if (request.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(request.form).toString();
  }

  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    // The signal is also raced here, so a fetch that ignores it cannot hang us.
    const response = await raceAbort(fetchImpl(url.toString(), { method: request.method, headers, body, signal, redirect: "manual" }), signal);
    status = response.status;
    text = await raceAbort(response.text(), signal);
  } catch (error) {
    if (signal.aborted) {
      throw fail(request.failCode, `${request.operation} did not answer within ${timeoutMs} ms`, { reason: "timeout" });
    }
    throw fail(request.failCode, `${request.operation} could not be reached`, {
      reason: "network",
      error: describeError(error),
      cause: error instanceof Error && error.cause !== undefined ? describeError(error.cause) : undefined,
    });
  }

  const failWithStatus: PlatformResponse["fail"] = (code, message, detail = {}) => fail(code, message, { status, ...detail });
  return {
    status,
    text,
    fail: failWithStatus,
    json(code, exactKeys = []) {
      try {
        return JSON.parse(exactKeys.length ? quoteNumbersUnderKeys(text, new Set(exactKeys)) : text) as unknown;
      } catch {
        // The body itself is never put in the error: it may hold a fresh token.
        throw failWithStatus(code, `${request.operation} answered with a body that is not JSON`, {
          reason: "bad_body",
          bodyLength: text.length,
        });
      }
    },
  };
}

function secretValues(request: OutboundRequest): string[] {
  const values: string[] = [];
  if (request.bearerToken) values.push(request.bearerToken);
  for (const fields of [request.form, request.query]) {
    for (const [name, value] of Object.entries(fields ?? {})) if (SECRET_FIELDS.has(name) && value) values.push(value);
  }
  return values;
}

/** Replaces each secret, raw or URL-encoded, with a marker. */
function redactor(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  const ordered = [...forms].filter(Boolean).sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join("[redacted]"), text);
}

function scrubDeep(value: Record<string, unknown>, scrub: (text: string) => string): Record<string, unknown> {
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return scrub(v);
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, visit(inner)]));
    return v;
  };
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, visit(v)]));
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /\s/;

/**
 * Rewrites `"key": 123` to `"key": "123"` for the given object keys, walking
 * the JSON text token by token so string contents are never touched. Node 20's
 * JSON.parse has no access to a number's source text, and an Instagram
 * user_id above 2^53 would otherwise lose digits.
 */
export function quoteNumbersUnderKeys(text: string, keys: ReadonlySet<string>): string {
  let out = "";
  let copiedUpTo = 0;
  let lastString: string | null = null;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i + 1;
      i = start;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      lastString = text.slice(start, i);
      i++;
      continue;
    }
    if (ch === ":" && lastString !== null && keys.has(lastString)) {
      let j = i + 1;
      while (j < text.length && WHITESPACE.test(text[j]!)) j++;
      JSON_NUMBER.lastIndex = j;
      const number = JSON_NUMBER.exec(text);
      if (number) {
        out += `${text.slice(copiedUpTo, j)}"${number[0]}"`;
        copiedUpTo = i = j + number[0].length;
        lastString = null;
        continue;
      }
    }
    if (!WHITESPACE.test(ch)) lastString = null;
    i++;
  }
  return out + text.slice(copiedUpTo);
}

/** Joins a base URL (with or without a trailing slash) and an absolute path. */
export const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;

/** Seconds from now as a Date, or null when the platform gave no usable lifetime. */
export function expiresIn(seconds: unknown, now: number): Date | null {
  const value = typeof seconds === "string" && seconds.trim() !== "" ? Number(seconds) : seconds;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? new Date(now + value * 1000) : null;
}

/** "a,b" or "a b" or ["a","b"] → ["a","b"]; null when absent. */
export function splitScopes(value: unknown): string[] | null {
  const parts = Array.isArray(value) ? value.filter((s): s is string => typeof s === "string") : typeof value === "string" ? value.split(/[,\s]+/) : null;
  return parts ? [...new Set(parts.map((s) => s.trim()).filter(Boolean))] : null;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-empty string, else null. */
export const nonEmpty = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** An id as exact text: strings as-is, safe integers printed, else null. */
export const idText = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" && Number.isSafeInteger(value) ? String(value) : null;

/**
 * Statuses that say the platform misbehaved rather than refused: server
 * errors, throttling, timeouts at its edge, and redirects (never followed).
 */
export const isUnexpectedStatus = (status: number) =>
  status < 200 || (status >= 300 && status < 400) || status === 408 || status === 429 || status >= 500;
