import { describe, expect, it } from "vitest";
import { isSetupCode, setupCode } from "./setupCode";

describe("setup code", () => {
  it("is four groups of four Crockford base32 characters, the same for the same AUTH_SECRET, different for another", () => {
    const code = setupCode("secret-one");
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(setupCode("secret-one")).toBe(code);
    expect(setupCode("secret-two")).not.toBe(code);
    expect(code).not.toContain("secret");
  });

  it("accepts the code as a person types it back, nothing else", () => {
    const code = setupCode("s");
    expect(isSetupCode("s", code)).toBe(true);
    expect(isSetupCode("s", code.toLowerCase().replace(/-/g, " "))).toBe(true);
    expect(isSetupCode("s", code.replace(/0/g, "O").replace(/1/g, "l"))).toBe(true);
    expect(isSetupCode("s", "")).toBe(false);
    expect(isSetupCode("s", code.slice(0, -1))).toBe(false);
    expect(isSetupCode("s", `${code}X`)).toBe(false);
    expect(isSetupCode("s", setupCode("t"))).toBe(false);
  });
});
