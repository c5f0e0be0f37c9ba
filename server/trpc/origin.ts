/**
 * What a browser said about where a call came from. Console mutations are
 * honoured only from the console's own origin, whether they arrive over
 * /api/trpc or as a server action; the sameSite=lax cookie alone would let
 * a top-level cross-site form POST through on some browsers.
 */
export interface BrowserCall {
  /** Over /api/trpc, or as a server action (a console form). */
  via: "http" | "action";
  origin: string | null;
  fetchSite: string | null;
  /** The origin the request was addressed to (scheme and host), as this server saw it. */
  self: string | null;
}

/** In-process calls (tests, server code calling a procedure) carry no browser to ask. */
export type CallSource = BrowserCall | "in-process";

export function isSameOrigin(call: BrowserCall, publicUrl: string): boolean {
  if (call.origin) return call.origin === new URL(publicUrl).origin || (call.self !== null && call.origin === call.self);
  // Browsers that send no Origin on same-origin POSTs still send Sec-Fetch-Site; a
  // client with neither is not a browser, and CSRF needs a browser.
  return call.fetchSite === "same-origin" || call.fetchSite === null;
}

export function browserCallFromRequest(req: Request): BrowserCall {
  return { via: "http", origin: req.headers.get("origin"), fetchSite: req.headers.get("sec-fetch-site"), self: new URL(req.url).origin };
}

/**
 * A server action has no URL of its own, only its headers: the addressed host
 * is the proxy's X-Forwarded-Host or the Host header, as Next's own action
 * check reads it.
 */
export function browserCallFromHeaders(headers: Headers, publicUrl: string): BrowserCall {
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || new URL(publicUrl).protocol.replace(/:$/, "");
  return { via: "action", origin: headers.get("origin"), fetchSite: headers.get("sec-fetch-site"), self: host ? `${proto}://${host}` : null };
}
