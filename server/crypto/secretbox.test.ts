import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sandboxCredentials } from "../oauth/platforms/config";
import { deriveKey, KEY_PURPOSES, keyId } from "./keys";
import { type Binding, SealError, SecretBox } from "./secretbox";

const ACCESS: Binding = { table: "social_accounts", column: "access_token_enc", rowId: "sa_01JD0000000000000000000001" };

/** A value as earlier releases sealed it: v1, the master key itself, bound to nothing. */
function sealV1(master: Buffer, plaintext: string): string {
  const id = keyId(master);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", master, iv);
  cipher.setAAD(Buffer.from(id));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

describe("SecretBox (AES-256-GCM, v2)", () => {
  it("round-trips and never repeats a ciphertext", () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.seal("act.token-value", ACCESS);
    expect(a).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(a).not.toContain("token-value");
    expect(box.seal("act.token-value", ACCESS)).not.toBe(a);
    expect(box.open(a, ACCESS)).toBe("act.token-value");
  });

  it("binds a value to its row, column and table: moved anywhere else it does not open", () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal("act.token-value", ACCESS);
    expect(() => box.open(sealed, { ...ACCESS, rowId: "sa_01JD0000000000000000000002" })).toThrow(/sealed for another row or column/);
    expect(() => box.open(sealed, { ...ACCESS, column: "refresh_token_enc" })).toThrow(SealError);
    expect(() => box.open(sealed, { ...ACCESS, table: "oauth_states" })).toThrow(SealError);
    // Names that run together differently are different places.
    const split = box.seal("x", { table: "a", column: "b.c", rowId: "d" });
    expect(() => box.open(split, { table: "a.b", column: "c", rowId: "d" })).toThrow(SealError);
  });

  it("accepts only a full 16-byte tag", () => {
    const box = new SecretBox(randomBytes(32));
    const parts = box.seal("secret", ACCESS).split(".");
    // A truncated tag of a genuine value: GCM without authTagLength would check only these 12 bytes.
    parts[3] = Buffer.from(parts[3]!, "base64url").subarray(0, 12).toString("base64url");
    expect(() => box.open(parts.join("."), ACCESS)).toThrow(/authentication tag is not 16 bytes/);
  });

  it("detects tampering", () => {
    const box = new SecretBox(randomBytes(32));
    const parts = box.seal("secret", ACCESS).split(".");
    parts[4] = Buffer.from("SECRET").toString("base64url");
    expect(() => box.open(parts.join("."), ACCESS)).toThrow(SealError);
    expect(() => box.open("v2.abc", ACCESS)).toThrow(/not a sealed value/);
  });

  it("names the master key, so values sealed before a rotation still open", () => {
    const oldKey = randomBytes(32);
    const sealed = new SecretBox(oldKey).seal("rft.refresh", ACCESS);
    expect(sealed.split(".")[1]).toBe(keyId(oldKey));
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(sealed, ACCESS)).toBe("rft.refresh");
    expect(rotated.isCurrent(sealed)).toBe(false);
    const resealed = rotated.reseal(sealed, ACCESS);
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(resealed.split(".")[1]).toBe(rotated.currentKeyId());
    expect(() => new SecretBox(randomBytes(32)).open(sealed, ACCESS)).toThrow(/unknown key .*LAYERS_ENCRYPTION_KEYS_PREVIOUS/);
  });

  it("never opens a v1 value for use; reseal turns it into a v2 value bound to its place", () => {
    const oldKey = randomBytes(32);
    const v1 = sealV1(oldKey, "act.legacy");
    const box = new SecretBox(randomBytes(32), [oldKey]);
    expect(() => box.open(v1, ACCESS)).toThrow(/v1 format.*ladmin secrets reencrypt/);
    const v2 = box.reseal(v1, ACCESS);
    expect(v2).toMatch(new RegExp(`^v2\\.${box.currentKeyId()}\\.`));
    expect(box.open(v2, ACCESS)).toBe("act.legacy");
    expect(() => box.open(v2, { ...ACCESS, rowId: "sa_other" })).toThrow(SealError);
    // A tampered v1 value is not resealed.
    const parts = v1.split(".");
    parts[4] = Buffer.from("forged").toString("base64url");
    expect(() => box.reseal(parts.join("."), ACCESS)).toThrow(SealError);
  });

  it("reads its keys on first use when given a function, and says why when there are none", () => {
    const box = new SecretBox(() => {
      throw new Error("LAYERS_ENCRYPTION_KEY: is required for this command");
    });
    expect(() => box.seal("x", ACCESS)).toThrow(/LAYERS_ENCRYPTION_KEY/);
    const master = randomBytes(32);
    const lazy = new SecretBox(() => ({ current: master, previous: [] }));
    expect(new SecretBox(master).open(lazy.seal("x", ACCESS), ACCESS)).toBe("x");
  });
});

describe("keys derived with HKDF", () => {
  it("differ per purpose, per platform and from the master key", () => {
    const master = randomBytes(32);
    const sealing = deriveKey(master, KEY_PURPOSES.tokenSealing);
    const tiktok = deriveKey(master, KEY_PURPOSES.sandboxClientSecret("tiktok"));
    const instagram = deriveKey(master, KEY_PURPOSES.sandboxClientSecret("instagram"));
    const all = [master, sealing, tiktok, instagram].map((k) => k.toString("hex"));
    expect(new Set(all).size).toBe(4);
    expect(sealing).toHaveLength(32);
    expect(deriveKey(master, KEY_PURPOSES.tokenSealing).equals(sealing)).toBe(true);
  });

  it("seal with the derived key, not the master key", () => {
    const master = randomBytes(32);
    const [, , iv, tag, data] = new SecretBox(master).seal("act.token", ACCESS).split(".");
    const attempt = (key: Buffer) => {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv!, "base64url"), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(JSON.stringify(["v2", keyId(master), ACCESS.table, ACCESS.column, ACCESS.rowId])));
      decipher.setAuthTag(Buffer.from(tag!, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data!, "base64url")), decipher.final()]).toString("utf8");
    };
    expect(() => attempt(master)).toThrow();
    expect(attempt(deriveKey(master, KEY_PURPOSES.tokenSealing))).toBe("act.token");
  });

  it("give the sandbox client secret a key of its own, not an HMAC of the master key", () => {
    const master = randomBytes(32);
    const { clientSecret } = sandboxCredentials({ encryptionKey: master }, "tiktok");
    expect(clientSecret).toBe(deriveKey(master, KEY_PURPOSES.sandboxClientSecret("tiktok")).toString("base64url"));
    expect(clientSecret).not.toBe(createHmac("sha256", master).update("sandbox-client-secret:tiktok").digest("base64url"));
    expect(clientSecret).not.toBe(deriveKey(master, KEY_PURPOSES.tokenSealing).toString("base64url"));
    expect(sandboxCredentials({ encryptionKey: master }, "instagram").clientSecret).not.toBe(clientSecret);
  });
});
