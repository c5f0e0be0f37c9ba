/**
 * Headers on every answer, pages and API alike. next.config.ts gives them to
 * whatever Next serves; the /v1 front (v1Front.ts) and scripts/serve.ts add
 * the same to their answers. No imports: next.config.ts loads this file too.
 *
 * Hosted pages are never framed: the platforms forbid framing their consent
 * flow, and a framed connect page would invite clickjacking.
 *
 * Next lets these win over a route handler's own header of the same name, so
 * a stricter policy for some answers is set here, by path, not by the
 * handler: the later rule in next.config.ts replaces the earlier one.
 */
export interface SecurityHeader {
  key: string;
  value: string;
}

export const SECURITY_HEADERS: ReadonlyArray<SecurityHeader> = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // No referrer leaves for other origins (hosted URLs carry the state); same-origin
  // form posts keep a real Origin header, which the sandbox consent form checks.
  { key: "Referrer-Policy", value: "same-origin" },
];

/**
 * Answers that are never a page with scripts: the OAuth callback, the
 * connect button and the sandbox's consent form answers (redirects carrying a
 * code or a state, and the hosted error pages), and the sandbox's SVG
 * avatars. They load nothing, and send no referrer at all, not even to our
 * own pages.
 */
export const STRICT_SOURCES: ReadonlyArray<string> = ["/v1/social/oauth/callback/:platform", "/connect/:state/go", "/sandbox/avatar/:username", "/sandbox/:platform/consent"];

export const STRICT_HEADERS: ReadonlyArray<SecurityHeader> = [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'" },
  { key: "Referrer-Policy", value: "no-referrer" },
];

/** next.config.ts's `headers()`: the site-wide set, then the strict pair where it applies. */
export const HEADER_RULES = [
  { source: "/:path*", headers: [...SECURITY_HEADERS] },
  ...STRICT_SOURCES.map((source) => ({ source, headers: [...STRICT_HEADERS] })),
];

const STRICT_PATTERNS = STRICT_SOURCES.map((source) => new RegExp(`^${source.replace(/:\w+/g, "[^/]+")}$`));

// Both outcomes made once, with lower-case names: they are read on every /v1 answer.
const lowerCased = (headers: ReadonlyArray<SecurityHeader>) => Object.fromEntries(headers.map(({ key, value }) => [key.toLowerCase(), value]));
const SITE: Readonly<Record<string, string>> = Object.freeze(lowerCased(SECURITY_HEADERS));
const STRICT: Readonly<Record<string, string>> = Object.freeze({ ...SITE, ...lowerCased(STRICT_HEADERS) });

/** What the rules above give an answer at `pathname`, as Next applies them (the later rule winning). Shared: copy it to add to it. */
export function securityHeadersFor(pathname: string): Readonly<Record<string, string>> {
  return STRICT_PATTERNS.some((pattern) => pattern.test(pathname)) ? STRICT : SITE;
}
