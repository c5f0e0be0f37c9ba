/**
 * The one rule for /v1 requests that never reach a route handler: a path that
 * does not decode, a method Next cannot route, `/v1` itself, a trailing slash
 * or another case of `/v1`. Each is answered with the contract's JSON error
 * body and a request id instead of Next's bare 500 or HTML 404.
 *
 * Used by the /v1 front (v1Front.ts), by proxy.ts (under bare `next start`)
 * and by scripts/serve.ts, which Node runs by type stripping: so it has no
 * runtime imports, only erased type imports.
 */
import type { ErrorBody, ErrorCode, Issue } from "../contract/errors";

/** The methods the /v1 route files export (HEAD is answered by Next from GET). */
export const V1_METHODS: readonly string[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

export interface V1Refusal {
  status: 400 | 404 | 405;
  code: Extract<ErrorCode, "VALIDATION" | "NOT_FOUND" | "METHOD_NOT_ALLOWED">;
  message: string;
  /** Only on 405. */
  allow?: string;
  /** Only on 400 (VALIDATION always carries issues). */
  issues?: Issue[];
}

/** The path of a request target, without its query (which may hold secrets). */
export function pathOf(target: string): string {
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}

/** True for targets under /v1 in any letter case (`/V1/x` is refused, not handed to pages). */
export function isV1Target(target: string): boolean {
  const path = pathOf(target);
  return /^\/v1(\/|$)/i.test(path);
}

/**
 * Why a /v1 request cannot be routed, or null when a route handler should
 * answer it. `target` is the raw request target (path and query, as sent).
 */
export function v1Refusal(method: string, target: string): V1Refusal | null {
  if (!isV1Target(target)) return null;
  const path = pathOf(target);
  try {
    decodeURIComponent(path);
  } catch {
    const message = "The request path is not valid percent-encoding.";
    return { status: 400, code: "VALIDATION", message, issues: [{ path: "(path)", message }] };
  }
  if (!V1_METHODS.includes(method)) return methodRefusal(method);
  // Only the lower-case prefix is routed. No endpoint has an empty segment (the
  // bare prefix, a trailing slash: trailing-slash redirects are off for the
  // sandbox's sake, `//`), a dot segment or a backslash: Next would redirect or
  // resolve those (`/v1/../x` is `/x`, an HTML page's 404).
  if (!path.startsWith("/v1/") || !path.split("/").slice(1).every(routableSegment)) {
    return { status: 404, code: "NOT_FOUND", message: "No endpoint at this path. See the README for the API." };
  }
  return null;
}

/** The 405 for a method no /v1 route has (`method` as sent; the front passes "" when Node could not parse it). */
export function methodRefusal(method: string): V1Refusal {
  const named = method ? method.slice(0, 20) : "This method";
  return {
    status: 405,
    code: "METHOD_NOT_ALLOWED",
    message: `${named} is not supported by this API; use ${V1_METHODS.filter((m) => m !== "HEAD").join(", ")}.`,
    allow: V1_METHODS.join(", "),
  };
}

function routableSegment(segment: string): boolean {
  const decoded = decodeURIComponent(segment);
  return decoded !== "" && decoded !== "." && decoded !== ".." && !decoded.includes("\\");
}

/** The contract's body for a refusal; the same shape `errorBodyOf` gives (a test holds them equal). */
export function refusalBody(refusal: V1Refusal, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: refusal.code, message: refusal.message, requestId } };
  if (refusal.code === "VALIDATION") body.error.issues = refusal.issues ?? [];
  return body;
}

// The same rule as requestId.ts (which the front cannot import: it uses `@/` paths).
const INCOMING_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/** A valid incoming X-Request-Id, or a new one from `mint`. */
export function requestIdFor(incoming: string | string[] | undefined | null, mint: () => string): string {
  return typeof incoming === "string" && INCOMING_ID.test(incoming) ? incoming : mint();
}
