import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildAuthorizeUrl } from "./authorizeUrl";
import { codeChallenge, newCodeVerifier } from "./pkce";
import { resolveScopes, unknownScopes } from "./scopes";

describe("authorize URLs", () => {
  it("TikTok: client_key, comma-separated scope, redirect_uri, state and S256 challenge on the configured URL", () => {
    const url = new URL(
      buildAuthorizeUrl({
        platform: "tiktok",
        authorizeUrl: "https://www.tiktok.com/v2/auth/authorize/",
        clientId: "ck",
        redirectUri: "https://connect.example.com/v1/social/oauth/callback/tiktok",
        scopes: ["user.info.basic", "video.list"],
        state: "st_X",
        codeChallenge: "abc",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://www.tiktok.com/v2/auth/authorize/");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_key: "ck",
      response_type: "code",
      scope: "user.info.basic,video.list",
      redirect_uri: "https://connect.example.com/v1/social/oauth/callback/tiktok",
      state: "st_X",
      code_challenge: "abc",
      code_challenge_method: "S256",
    });
  });

  it("TikTok refuses to build a URL without PKCE", () => {
    expect(() =>
      buildAuthorizeUrl({ platform: "tiktok", authorizeUrl: "https://t.example/a", clientId: "c", redirectUri: "https://r.example/cb", scopes: [], state: "s" }),
    ).toThrow(/PKCE/);
  });

  it("Instagram: client_id, comma-separated scope, no PKCE", () => {
    const url = new URL(
      buildAuthorizeUrl({
        platform: "instagram",
        authorizeUrl: "https://www.instagram.com/oauth/authorize",
        clientId: "990001",
        redirectUri: "https://connect.example.com/v1/social/oauth/callback/instagram",
        scopes: ["instagram_business_basic", "instagram_business_content_publish"],
        state: "st_Y",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://www.instagram.com/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "990001",
      response_type: "code",
      scope: "instagram_business_basic,instagram_business_content_publish",
      redirect_uri: "https://connect.example.com/v1/social/oauth/callback/instagram",
      state: "st_Y",
    });
  });
});

describe("PKCE", () => {
  it("makes RFC 7636 verifiers and the hex SHA-256 challenge TikTok documents", () => {
    const verifier = newCodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(newCodeVerifier()).not.toBe(verifier);
    expect(codeChallenge(verifier)).toBe(createHash("sha256").update(verifier).digest("hex"));
    expect(codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "base64url")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });
});

describe("scopes", () => {
  it("default per platform, basic first and always", () => {
    expect(resolveScopes("tiktok", undefined)).toEqual(["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"]);
    expect(resolveScopes("instagram", undefined)[0]).toBe("instagram_business_basic");
    expect(resolveScopes("tiktok", ["video.publish"])).toEqual(["user.info.basic", "video.publish"]);
    expect(resolveScopes("tiktok", [])).toEqual(["user.info.basic"]);
  });

  it("flag scopes the platform does not know, including the dead business_* names", () => {
    expect(unknownScopes("instagram", ["business_basic", "instagram_business_basic"])).toEqual(["business_basic"]);
    expect(unknownScopes("tiktok", ["instagram_business_basic"])).toEqual(["instagram_business_basic"]);
  });
});
