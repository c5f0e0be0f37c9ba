import { describe, expect, it } from "vitest";
import { closestName, unknownFieldsMessage } from "./suggest";

const FIELDS = ["platform", "returnUrl", "scopes", "usageNote"];

describe("closestName", () => {
  it("matches a name in another letter case or separator style", () => {
    expect(closestName("returnURL", FIELDS)).toBe("returnUrl");
    expect(closestName("usage_note", FIELDS)).toBe("usageNote");
    expect(closestName("return-url", FIELDS)).toBe("returnUrl");
  });

  it("matches a typo of one or two edits", () => {
    expect(closestName("scope", FIELDS)).toBe("scopes");
    expect(closestName("platfrom", FIELDS)).toBe("platform");
    expect(closestName("retrnUrl", FIELDS)).toBe("returnUrl");
  });

  it("suggests nothing for a name far from every known one, or as near to two", () => {
    expect(closestName("redirectUri", FIELDS)).toBeUndefined();
    expect(closestName("ab", ["ac", "ad"])).toBeUndefined();
    expect(closestName("x", FIELDS)).toBeUndefined();
  });
});

describe("unknownFieldsMessage", () => {
  it("names each unknown field, its likely meaning, and the known fields", () => {
    expect(unknownFieldsMessage(["returnURL"], FIELDS)).toBe(
      "unknown field `returnURL` (did you mean `returnUrl`?); the fields are `platform`, `returnUrl`, `scopes`, `usageNote`",
    );
    expect(unknownFieldsMessage(["usage_note", "extra"], FIELDS)).toMatch(/^unknown fields `usage_note` \(did you mean `usageNote`\?\), `extra`; /);
  });
});
