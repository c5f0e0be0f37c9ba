import { describe, expect, it } from "vitest";
import { hasAnyScope } from "./scopes";
import { displayPrefix, generateToken, hashSecret, parseToken, secretMatches } from "./token";

describe("API key tokens", () => {
  it("have the lp_<mode>_<public>_<secret> form with a 160-bit secret", () => {
    for (const mode of ["live", "test"] as const) {
      const { token, publicId } = generateToken(mode);
      expect(token).toMatch(new RegExp(`^lp_${mode}_[0-9A-HJKMNP-TV-Z]{16}_[0-9A-HJKMNP-TV-Z]{32}$`));
      expect(parseToken(token)).toEqual({ mode, publicId, secret: token.split("_")[3] });
    }
  });

  it("are unique and store only a hash that is not the secret", () => {
    const a = generateToken("live");
    const b = generateToken("live");
    expect(a.token).not.toBe(b.token);
    expect(a.publicId).not.toBe(b.publicId);
    const secret = parseToken(a.token)!.secret;
    expect(a.secretHash).toBe(hashSecret(secret));
    expect(a.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.secretHash).not.toContain(secret);
  });

  it.each([
    "",
    "lp_prod_0123456789ABCDEF_0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "lp_live_0123456789ABCDE_0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "lp_live_0123456789ABCDEF_0123456789ABCDEFGHJKMNPQRSTVWXY",
    "lp_live_0123456789abcdef_0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "lp_live_0123456789ABCDEF_0123456789ABCDEFGHJKMNPQRSTVWXYZ ",
    " lp_live_0123456789ABCDEF_0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "lp_live_0123456789ABCDEF_0123456789ABCDEFGHIKMNPQRSTVWXYZ",
  ])("rejects the malformed token %j", (token) => {
    expect(parseToken(token)).toBeNull();
  });

  it("verifies a secret against its hash and nothing else", () => {
    const { token, secretHash } = generateToken("test");
    const secret = parseToken(token)!.secret;
    expect(secretMatches(secret, secretHash)).toBe(true);
    expect(secretMatches(secret.slice(0, -1) + (secret.endsWith("0") ? "1" : "0"), secretHash)).toBe(false);
    expect(secretMatches(secret, "00")).toBe(false);
    expect(secretMatches(secret, "")).toBe(false);
  });

  it("shows a display prefix without the secret", () => {
    const { token, publicId } = generateToken("live");
    expect(displayPrefix("live", publicId)).toBe(token.split("_").slice(0, 3).join("_"));
  });
});

describe("scopes", () => {
  it("passes when the key holds any of the required scopes", () => {
    expect(hasAnyScope(["social:read"], ["social:read", "social:write"])).toBe(true);
    expect(hasAnyScope(["social:write"], ["social:write"])).toBe(true);
    expect(hasAnyScope(["social:read"], ["social:write"])).toBe(false);
    expect(hasAnyScope([], ["social:read"])).toBe(false);
  });
});
