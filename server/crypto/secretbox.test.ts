import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secretbox";

describe("SecretBox (AES-256-GCM)", () => {
  it("round-trips and never repeats a ciphertext", () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.seal("act.token-value");
    expect(a).not.toContain("token-value");
    expect(box.seal("act.token-value")).not.toBe(a);
    expect(box.open(a)).toBe("act.token-value");
  });

  it("names its key, so values sealed before a rotation still open", () => {
    const oldKey = randomBytes(32);
    const sealed = new SecretBox(oldKey).seal("rft.refresh");
    expect(sealed.split(".")[1]).toBe(SecretBox.keyId(oldKey));
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(sealed)).toBe("rft.refresh");
    expect(rotated.seal("x").split(".")[1]).not.toBe(SecretBox.keyId(oldKey));
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/unknown key/);
  });

  it("detects tampering", () => {
    const box = new SecretBox(randomBytes(32));
    const parts = box.seal("secret").split(".");
    parts[4] = Buffer.from("SECRET").toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
  });
});
