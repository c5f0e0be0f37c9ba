import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for platform tokens and PKCE verifiers at rest. A ciphertext is
 * `v1.<keyId>.<iv>.<tag>.<data>` (base64url parts); `keyId` names the key
 * that sealed it, so after a rotation old rows still open with the previous
 * key while new ones use the current key.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(current: Buffer, previous: Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new Error("encryption keys must be 32 bytes");
      this.keys.set(SecretBox.keyId(key), key);
    }
    this.currentId = SecretBox.keyId(current);
  }

  /** A short public fingerprint of a key: the first 8 hex chars of its SHA-256. */
  static keyId(key: Buffer): string {
    return createHash("sha256").update(key).digest("hex").slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(this.currentId));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", this.currentId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split(".");
    if (version !== "v1" || !keyId || !iv || !tag || data === undefined) throw new Error("not a sealed value");
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`sealed with unknown key ${keyId}; add it to LAYERS_ENCRYPTION_KEYS_PREVIOUS`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }
}
