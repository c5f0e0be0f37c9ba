import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readLimitedBytes } from "../../http/limitedBody";
import { htmlMessagePage } from "../../hosted/errorPage";

/** Token replies must never be cached (RFC 6749 §5.1); the platforms send both headers. */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** A JSON reply whose text is given as is (Instagram's bare big-number user_id needs that). */
export function jsonText(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "Content-Type": "application/json; charset=utf-8", ...NO_STORE, ...headers } });
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => jsonText(JSON.stringify(body), status, headers);

/** The platforms' own token endpoints refuse huge bodies; the sandbox's cap is the instance's everywhere (CONTRACT.md §6). */
export const SANDBOX_MAX_BODY_BYTES = 64 * 1024;

/**
 * The fields of a form body. `multipart` also accepts multipart/form-data
 * (Instagram documents it; TikTok takes urlencoded only). Anything else, or
 * a body that does not parse, reads as no fields at all. A body over
 * SANDBOX_MAX_BODY_BYTES throws BodyTooLargeError, which the route guard
 * answers in the platform's dialect.
 */
export async function readForm(req: Request, opts: { multipart: boolean }): Promise<URLSearchParams | null> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  const urlencoded = type.startsWith("application/x-www-form-urlencoded");
  if (!urlencoded && !(opts.multipart && type.startsWith("multipart/form-data"))) return null;
  const bytes = await readLimitedBytes(req, SANDBOX_MAX_BODY_BYTES);
  if (urlencoded) return new URLSearchParams(new TextDecoder().decode(bytes));
  try {
    // The bytes are already bounded; Response parses them with the original boundary.
    const parsed = await new Response(bytes, { headers: { "content-type": req.headers.get("content-type")! } }).formData();
    const fields = new URLSearchParams();
    for (const [name, value] of parsed) if (typeof value === "string") fields.append(name, value);
    return fields;
  } catch {
    return null;
  }
}

export { bearerToken } from "../../http/bearer";

/** Constant-time string comparison (for client secrets). */
export function secretsEqual(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * TikTok's log ids: a UTC timestamp (yyyyMMddHHmmss) then random hex. The
 * stamp is wall time, not the sandbox's clock: a log id exists to be found
 * in this server's logs, which are stamped in wall time.
 */
export function tiktokLogId(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return stamp + randomBytes(10).toString("hex").toUpperCase();
}

/** Meta's fbtrace_id: an opaque 27-character token. */
export const fbTraceId = () => randomBytes(21).toString("base64url").slice(0, 27);

/**
 * The sandbox's own error page, for a consent POST it will not act on. Like
 * the real consent pages, it never sends the browser back to a redirect_uri
 * it has not validated.
 */
export function sandboxErrorPage(
  title: string,
  problems: readonly string[],
  status: number,
  paragraphs: readonly string[] = ["Nothing was sent back to the app. Start the connection again from the app."],
): Response {
  return sandboxPage({ title, list: problems, paragraphs, status });
}

/** A page of the sandbox's own (an answer to one of its forms), badged so nobody takes it for the platform. */
export const sandboxPage = (opts: { title: string; list?: readonly string[]; paragraphs: readonly string[]; status: number }) =>
  htmlMessagePage({ ...opts, siteName: "Layers sandbox", badge: { text: "Sandbox", tone: "sandbox" } });

/**
 * A form POST must come from this instance's own sandbox pages. Browsers send
 * Origin on every POST; a mismatch (or `null`) means another site is trying
 * to act on the end-customer's behalf (grant consent, revoke access). A
 * request with neither header (curl) is not a browser's and goes through.
 */
export function crossOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== new URL(publicUrl).origin) return true;
  return req.headers.get("sec-fetch-site") === "cross-site";
}

/** 303 See Other: the consent POST becomes a GET of the redirect_uri, as on the real platforms. */
export const seeOther = (location: string) => new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
