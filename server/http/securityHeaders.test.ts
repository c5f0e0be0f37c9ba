import { describe, expect, it } from "vitest";
import { HEADER_RULES, SECURITY_HEADERS, securityHeadersFor, STRICT_HEADERS } from "./securityHeaders";

describe("securityHeadersFor: what next.config.ts's rules give a path", () => {
  const site = Object.fromEntries(SECURITY_HEADERS.map(({ key, value }) => [key.toLowerCase(), value]));

  it("gives every path the site-wide set", () => {
    for (const path of ["/", "/v1/social/accounts", "/connect/st_1", "/console/projects", "/sandbox/tiktok/v2/auth/authorize"]) expect(securityHeadersFor(path), path).toEqual(site);
  });

  it("replaces the policy and referrer pair on the strict paths, one segment per parameter", () => {
    const strict = { ...site, "content-security-policy": STRICT_HEADERS[0]!.value, "referrer-policy": "no-referrer" };
    for (const path of ["/v1/social/oauth/callback/tiktok", "/connect/st_1/go", "/sandbox/avatar/ana", "/sandbox/instagram/consent"]) expect(securityHeadersFor(path), path).toEqual(strict);
    for (const path of ["/v1/social/oauth/callback/tiktok/x", "/connect/st_1/go/x", "/connect/st_1"]) expect(securityHeadersFor(path), path).toEqual(site);
  });

  it("lists the strict rules after the site-wide one, as Next lets the later rule win", () => {
    expect(HEADER_RULES[0]!.source).toBe("/:path*");
    expect(HEADER_RULES.slice(1).every((rule) => rule.headers.length === STRICT_HEADERS.length)).toBe(true);
  });
});
