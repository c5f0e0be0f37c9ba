import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bindingAllows, bindingCookieHeader, bindingCookieSpec, newBindingToken, readBindingToken } from "./binding";

describe("the binding cookie", () => {
  it("is __Host- and Secure wherever a browser keeps a Secure cookie: https and loopback http", () => {
    for (const url of ["https://connect.example.com", "http://localhost:3000", "http://127.0.0.1:4000", "http://[::1]:3000", "http://layers.localhost"]) {
      expect(bindingCookieSpec(url), url).toEqual({ name: "__Host-layers_connect", secure: true });
    }
  });

  it("drops the prefix and Secure on other plain-http public URLs, where a Secure cookie would be thrown away", () => {
    expect(bindingCookieSpec("http://layers.internal:3000")).toEqual({ name: "layers_connect", secure: false });
    expect(bindingCookieHeader("t".repeat(43), "http://10.0.0.5", 600)).toBe(`layers_connect=${"t".repeat(43)}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax`);
  });

  it("reads only a well-formed token under this deployment's name", () => {
    const token = newBindingToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const https = "https://connect.example.com";
    expect(readBindingToken(`a=b; __Host-layers_connect=${token}; c=d`, https)).toBe(token);
    expect(readBindingToken(`layers_connect=${token}`, https)).toBeNull();
    expect(readBindingToken(`__Host-layers_connect=${token}x`, https)).toBeNull();
    expect(readBindingToken("__Host-layers_connect=", https)).toBeNull();
    expect(readBindingToken(null, https)).toBeNull();
    expect(readBindingToken(`layers_connect=${token}`, "http://layers.internal")).toBe(token);
  });
});

describe("bindingAllows", () => {
  const token = newBindingToken();
  const bound = { browserBindingHash: createHash("sha256").update(token).digest("hex") };

  it("lets any browser act on an unbound attempt", () => {
    expect(bindingAllows({ browserBindingHash: null }, null)).toBe(true);
    expect(bindingAllows({ browserBindingHash: null }, newBindingToken())).toBe(true);
  });

  it("lets only the bound browser act on a bound one", () => {
    expect(bindingAllows(bound, token)).toBe(true);
    expect(bindingAllows(bound, null)).toBe(false);
    expect(bindingAllows(bound, newBindingToken())).toBe(false);
    // The stored hash itself is not a token that opens it.
    expect(bindingAllows(bound, bound.browserBindingHash)).toBe(false);
  });
});
