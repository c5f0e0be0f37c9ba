import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Token replies must never be cached (RFC 6749 §5.1); the platforms send both headers. */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** A JSON reply whose text is given as is (Instagram's bare big-number user_id needs that). */
export function jsonText(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "Content-Type": "application/json; charset=utf-8", ...NO_STORE, ...headers } });
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => jsonText(JSON.stringify(body), status, headers);

/**
 * The fields of a form body. `multipart` also accepts multipart/form-data
 * (Instagram documents it; TikTok takes urlencoded only). Anything else, or
 * a body that does not parse, reads as no fields at all.
 */
export async function readForm(req: Request, opts: { multipart: boolean }): Promise<URLSearchParams | null> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  const urlencoded = type.startsWith("application/x-www-form-urlencoded");
  if (!urlencoded && !(opts.multipart && type.startsWith("multipart/form-data"))) return null;
  if (urlencoded) return new URLSearchParams(await req.text());
  try {
    const fields = new URLSearchParams();
    for (const [name, value] of await req.formData()) if (typeof value === "string") fields.append(name, value);
    return fields;
  } catch {
    return null;
  }
}

/** The token in `Authorization: Bearer <token>`, if any. */
export function bearerToken(req: Request): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.get("authorization") ?? "");
  return match ? match[1]! : null;
}

/** Constant-time string comparison (for client secrets). */
export function secretsEqual(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** TikTok's log ids: a UTC timestamp (yyyyMMddHHmmss) then random hex. */
export function tiktokLogId(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return stamp + randomBytes(10).toString("hex").toUpperCase();
}

/** Meta's fbtrace_id: an opaque 27-character token. */
export const fbTraceId = () => randomBytes(21).toString("base64url").slice(0, 27);

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The sandbox's own error page, for a consent POST it will not act on. Like
 * the real consent pages, it never sends the browser back to a redirect_uri
 * it has not validated.
 */
export function sandboxErrorPage(title: string, problems: readonly string[], status: number): Response {
  const items = problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Layers sandbox</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f7f7f8; color: #18181b;
         font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
  main { max-width: 32rem; margin: 1.5rem; background: #fff; border: 1px solid #e4e4e7; border-radius: 12px; padding: 2rem; }
  .badge { display: inline-block; font-size: .75rem; font-weight: 700; letter-spacing: .06em; text-transform: uppercase;
           color: #78350f; background: #fef3c7; border: 1px solid #f59e0b; border-radius: 999px; padding: .1rem .6rem; margin-bottom: 1rem; }
  h1 { font-size: 1.35rem; line-height: 1.25; margin: 0 0 .75rem; }
  p, li { color: #3f3f46; }
</style>
</head>
<body>
<main>
  <span class="badge">Sandbox</span>
  <h1>${escapeHtml(title)}</h1>
  <ul>${items}</ul>
  <p>Nothing was sent back to the app. Start the connection again from the app.</p>
</main>
</body>
</html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}

/** 303 See Other: the consent POST becomes a GET of the redirect_uri, as on the real platforms. */
export const seeOther = (location: string) => new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
