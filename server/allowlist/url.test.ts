import { describe, expect, it } from "vitest";
import { nearMissEntry, normalizeAllowlistEntry, parseReturnUrl } from "./url";

const entry = (url: string) => {
  const check = normalizeAllowlistEntry(url);
  return check.ok ? check.url : `invalid: ${check.reason}`;
};

/** Would `returnUrl` pass an allowlist holding exactly `allowed`? */
function allowed(allowed: string, returnUrl: string) {
  const e = normalizeAllowlistEntry(allowed);
  const r = parseReturnUrl(returnUrl);
  if (!e.ok) throw new Error(e.reason);
  return r.ok && r.matchKey === e.url;
}

describe("allowlist entries", () => {
  it("normalise scheme and host case and drop the default port", () => {
    expect(entry("HTTPS://App.Example.COM:443/connect/return")).toBe("https://app.example.com/connect/return");
    expect(entry("https://app.example.com")).toBe("https://app.example.com/");
    expect(entry("http://localhost:3000/connect/return")).toBe("http://localhost:3000/connect/return");
    expect(entry("http://127.0.0.1/cb")).toBe("http://127.0.0.1/cb");
    expect(entry("https://app.example.com:8443/x")).toBe("https://app.example.com:8443/x");
  });

  it.each([
    ["http on a public host", "http://app.example.com/return"],
    ["another scheme", "ftp://app.example.com/return"],
    ["javascript", "javascript:alert(1)"],
    ["a relative URL", "/connect/return"],
    ["userinfo", "https://user:pass@app.example.com/return"],
    ["a query", "https://app.example.com/return?x=1"],
    ["a fragment", "https://app.example.com/return#x"],
    ["a localhost look-alike over http", "http://localhost.evil.com/return"],
  ])("reject %s", (_name, url) => {
    expect(entry(url)).toMatch(/^invalid: /);
  });
});

describe("returnUrl matching", () => {
  const ALLOWED = "https://app.example.com/connect/return";

  it("matches equal URLs after normalisation, with any query", () => {
    expect(allowed(ALLOWED, "https://app.example.com/connect/return")).toBe(true);
    expect(allowed(ALLOWED, "HTTPS://APP.EXAMPLE.COM:443/connect/return")).toBe(true);
    expect(allowed(ALLOWED, "https://app.example.com/connect/return?state=1&x=%20")).toBe(true);
    expect(allowed(ALLOWED, "https://app.example.com/connect/./return")).toBe(true);
  });

  it.each([
    ["userinfo hiding another host", "https://app.example.com@evil.com/connect/return"],
    ["userinfo on the same host", "https://evil@app.example.com/connect/return"],
    ["backslash tricks", "https://evil.com\\@app.example.com/connect/return"],
    [".. segments", "https://app.example.com/connect/return/../../evil"],
    ["encoded .. segments", "https://app.example.com/connect/%2E%2E/evil/return"],
    ["another port", "https://app.example.com:444/connect/return"],
    ["another scheme", "http://app.example.com/connect/return"],
    ["path letter case", "https://app.example.com/CONNECT/return"],
    ["a trailing slash", "https://app.example.com/connect/return/"],
    ["a prefix path", "https://app.example.com/connect"],
    ["a host suffix", "https://app.example.com.evil.com/connect/return"],
    ["a trailing-dot host", "https://app.example.com./connect/return"],
  ])("refuses %s", (_name, url) => {
    expect(allowed(ALLOWED, url)).toBe(false);
  });

  it("rejects malformed returnUrls outright", () => {
    expect(parseReturnUrl("not a url").ok).toBe(false);
    expect(parseReturnUrl("//app.example.com/x").ok).toBe(false);
    expect(parseReturnUrl("data:text/html,hi").ok).toBe(false);
    expect(parseReturnUrl("https://app.example.com/x#frag").ok).toBe(false);
    expect(parseReturnUrl("https://app.example.com/x#").ok).toBe(false);
  });
});

describe("nearMissEntry", () => {
  const entries = ["http://localhost:3000/connect/return", "https://app.example.com/cb", "https://shop.example.com/"];

  it("names the entry a returnUrl nearly is, and the one way they differ", () => {
    expect(nearMissEntry("https://app.example.com/cb/", entries)).toEqual({ entry: "https://app.example.com/cb", differs: "only by a trailing slash" });
    expect(nearMissEntry("https://shop.example.com", entries)?.entry).toBe("https://shop.example.com/");
    expect(nearMissEntry("http://127.0.0.1:3000/connect/return", entries)).toEqual({ entry: "http://localhost:3000/connect/return", differs: "only in localhost against 127.0.0.1" });
    expect(nearMissEntry("http://app.example.com/cb", entries)).toEqual({ entry: "https://app.example.com/cb", differs: "only in http against https" });
    expect(nearMissEntry("https://app.example.com/CB", entries)).toEqual({ entry: "https://app.example.com/cb", differs: "only in letter case" });
  });

  it("names nothing for another port, host or path, or for two differences at once", () => {
    for (const key of ["https://app.example.com:8443/cb", "https://api.example.com/cb", "https://app.example.com/cb2", "http://app.example.com/cb/"]) {
      expect(nearMissEntry(key, entries), key).toBeUndefined();
    }
  });
});

describe("allowlist entries written without a scheme", () => {
  it("say a host:port entry (which parses with the host as its scheme) has no scheme, and offer http for localhost", () => {
    expect(entry("localhost:3000/cb")).toBe(
      'invalid: "localhost:3000/cb" has no scheme: write http://localhost:3000/cb (http only for localhost and 127.0.0.1) or https://…',
    );
    expect(entry("localhost:3000")).toBe('invalid: "localhost:3000" has no scheme: write http://localhost:3000 (http only for localhost and 127.0.0.1) or https://…');
    expect(entry("127.0.0.1:8080/connect/return")).toBe(
      'invalid: "127.0.0.1:8080/connect/return" has no scheme: write http://127.0.0.1:8080/connect/return (http only for localhost and 127.0.0.1) or https://…',
    );
  });

  it("say a public host without a scheme has none, and offer https only", () => {
    expect(entry("app.example.com/cb")).toBe('invalid: "app.example.com/cb" has no scheme: write https://app.example.com/cb');
    expect(entry("app.example.com:8443/cb")).toBe('invalid: "app.example.com:8443/cb" has no scheme: write https://app.example.com:8443/cb');
    expect(entry("//app.example.com/cb")).toBe('invalid: "//app.example.com/cb" has no scheme: write https://app.example.com/cb');
    expect(entry("  app.example.com/cb ")).toBe('invalid: "  app.example.com/cb " has no scheme: write https://app.example.com/cb');
  });

  it("leave other schemes, relative paths and words to the messages they had", () => {
    expect(entry("javascript:alert(1)")).toBe('invalid: "javascript:alert(1)" must use https');
    expect(entry("mailto:someone@app.example.com")).toBe('invalid: "mailto:someone@app.example.com" must use https');
    expect(entry("/connect/return")).toBe('invalid: "/connect/return" is not an absolute URL');
    expect(entry("callback")).toBe('invalid: "callback" is not an absolute URL');
    expect(entry("not a url")).toBe('invalid: "not a url" is not an absolute URL');
  });

  it("leave entries that have a scheme as they were", () => {
    expect(entry("http://localhost:3000/cb")).toBe("http://localhost:3000/cb");
    expect(entry("HTTPS://APP.EXAMPLE.COM/cb")).toBe("https://app.example.com/cb");
  });
});
