/**
 * Return-URL rules (CONTRACT.md §3). Matching compares scheme, host, port and
 * path after WHATWG URL normalisation: lower-case scheme and host, default
 * port dropped, `..` and `%2e%2e` segments resolved. The query is not part of
 * the match and is kept; a fragment or userinfo never matches.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1"]);

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

function parse(input: string): URL | null {
  if (typeof input !== "string" || !URL.canParse(input)) return null;
  return new URL(input);
}

/** The part of a URL an allowlist entry pins down: scheme://host[:port]/path. */
const matchKey = (url: URL) => `${url.protocol}//${url.host}${url.pathname}`;

/** A host a URL without a scheme plausibly starts with: localhost, a dotted name or address, or an IPv6 literal. */
const looksLikeHost = (hostname: string) => hostname === "localhost" || hostname.includes(".") || hostname.startsWith("[");

/**
 * What a URL written without its scheme would be with one, or null when the
 * input is something else. `app.example.com/cb` does not parse at all, and
 * `localhost:3000/cb` parses with the scheme "localhost:" (a host and port
 * read as a scheme and path); a relative path (`/cb`) is neither.
 */
function withoutScheme(trimmed: string): { host: string; rest: string } | null {
  const parsed = parse(trimmed);
  // Parsed: only a host:port read as scheme:path counts ("javascript:…", "mailto:…" are schemes).
  if (parsed && !/^[a-z][a-z0-9+.-]*:\d+(?:[/?#]|$)/i.test(trimmed)) return null;
  if (!parsed && trimmed.startsWith("/") && !trimmed.startsWith("//")) return null;
  const rest = trimmed.replace(/^\/\//, "");
  const candidate = parse(`https://${rest}`);
  if (!candidate || candidate.username || candidate.password || !looksLikeHost(candidate.hostname)) return null;
  return { host: candidate.hostname, rest };
}

/** Validates an allowlist entry and returns its normalised form. */
export function normalizeAllowlistEntry(input: string): UrlCheck {
  const trimmed = input.trim();
  const bare = withoutScheme(trimmed);
  if (bare) {
    const write = LOOPBACK_HOSTS.has(bare.host)
      ? `http://${bare.rest} (http only for localhost and 127.0.0.1) or https://…`
      : `https://${bare.rest}`;
    return { ok: false, reason: `"${input}" has no scheme: write ${write}` };
  }
  const url = parse(trimmed);
  if (!url) return { ok: false, reason: `"${input}" is not an absolute URL` };
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `"${input}" must use https` };
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    return { ok: false, reason: `"${input}" must use https (http is allowed only for localhost and 127.0.0.1)` };
  }
  if (url.username || url.password) return { ok: false, reason: `"${input}" must not contain a user name or password` };
  if (url.search || url.hash || input.includes("#")) {
    return { ok: false, reason: `"${input}" must not contain a query or fragment: entries are scheme, host, port and path` };
  }
  return { ok: true, url: matchKey(url) };
}

export type ReturnUrlCheck = { ok: true; href: string; matchKey: string | null } | { ok: false; reason: string };

/**
 * Checks that a returnUrl is well-formed (absolute http(s), no fragment) and
 * gives the key to look up in the allowlist. `matchKey` is null for URLs that
 * can never be allowed (userinfo), which then fail the allowlist check.
 */
export function parseReturnUrl(input: string): ReturnUrlCheck {
  const url = parse(input);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return { ok: false, reason: "returnUrl must be an absolute http(s) URL" };
  }
  if (input.includes("#")) return { ok: false, reason: "returnUrl must not contain a fragment (#...)" };
  return { ok: true, href: url.href, matchKey: url.username || url.password ? null : matchKey(url) };
}

/**
 * The usual near misses between a returnUrl and an allowlist entry, each as
 * a way to make both alike and the words for what differs. Only a single
 * near miss is named: an entry that differs in two ways is another URL.
 */
const NEAR_MISSES: ReadonlyArray<{ alike: (key: string) => string; says: string }> = [
  { alike: (key) => key.replace(/\/+$/, ""), says: "only by a trailing slash" },
  { alike: (key) => key.replace(/^(https?:\/\/)127\.0\.0\.1(?=[:/])/, "$1localhost"), says: "only in localhost against 127.0.0.1" },
  { alike: (key) => key.replace(/^https:/, "http:"), says: "only in http against https" },
  { alike: (key) => key.toLowerCase(), says: "only in letter case" },
];

/** An allowlist entry the returnUrl (its match key) nearly is, and how they differ. */
export function nearMissEntry(matchKey: string, entries: readonly string[]): { entry: string; differs: string } | undefined {
  for (const { alike, says } of NEAR_MISSES) {
    const entry = entries.find((candidate) => candidate !== matchKey && alike(candidate) === alike(matchKey));
    if (entry) return { entry, differs: says };
  }
  return undefined;
}
