import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { deriveKey, KEY_PURPOSES, keyId } from "./keys";

/**
 * AES-256-GCM for secrets at rest: platform tokens, PKCE verifiers.
 *
 * A value is `v2.<keyId>.<iv>.<tag>.<data>` (base64url parts), sealed with a
 * key derived by HKDF from the master key that `keyId` names, and bound to
 * where it is stored: the table, column and row id are authenticated data,
 * so a ciphertext copied to another row or column (by anyone who can write
 * the database but not read the key) does not open there.
 *
 * `v1` values (earlier releases: the master key used directly, bound to
 * nothing) are never opened for use; only `reseal` reads them, to rewrite
 * them as v2 in place (at server start, and by `ladmin secrets reencrypt`).
 */

/** Where a sealed value lives. */
export interface Binding {
  table: string;
  column: string;
  rowId: string;
}

export interface MasterKeys {
  current: Buffer;
  previous: readonly Buffer[];
}

export class SealError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SealError";
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Ring {
  currentId: string;
  /**
   * keyId → the master key and the v2 sealing key derived from it, as
   * KeyObjects: given a Buffer, createCipheriv makes a KeyObject of it on
   * every call (about 50 µs of the 70 a seal took here; 17 with one made once).
   */
  keys: Map<string, { master: KeyObject; sealing: KeyObject }>;
}

function ringOf({ current, previous }: MasterKeys): Ring {
  const keys: Ring["keys"] = new Map();
  for (const master of [current, ...previous]) {
    keys.set(keyId(master), { master: createSecretKey(master), sealing: createSecretKey(deriveKey(master, KEY_PURPOSES.tokenSealing)) });
  }
  return { currentId: keyId(current), keys };
}

function aad(version: "v1" | "v2", id: string, binding?: Binding): Buffer {
  // v1 authenticated the key id alone; v2 adds the place, as a JSON array so no
  // choice of names can make two different places read the same.
  return Buffer.from(version === "v1" ? id : JSON.stringify(["v2", id, binding!.table, binding!.column, binding!.rowId]));
}

interface Parsed {
  version: "v1" | "v2";
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

function parse(sealed: string): Parsed {
  const parts = sealed.split(".");
  const [version, id, iv, tag, data] = parts;
  if (parts.length !== 5 || (version !== "v1" && version !== "v2") || !id || !iv || !tag) throw new SealError("not a sealed value");
  const parsed = { version, keyId: id, iv: Buffer.from(iv, "base64url"), tag: Buffer.from(tag, "base64url"), data: Buffer.from(data!, "base64url") } as const;
  if (parsed.iv.length !== IV_BYTES) throw new SealError("not a sealed value: the IV is not 12 bytes");
  // A shorter tag would be accepted by GCM with proportionally weaker
  // authentication; only the full 16 bytes this box writes are valid.
  if (parsed.tag.length !== TAG_BYTES) throw new SealError("not a sealed value: the authentication tag is not 16 bytes");
  return parsed;
}

export class SecretBox {
  private ring: Ring | undefined;
  private readonly load: () => MasterKeys;

  /**
   * The keys, or a function that returns them on first use: ladmin passes a
   * function, so commands that seal nothing run without LAYERS_ENCRYPTION_KEY
   * and the ones that do fail on their first seal or open, naming it.
   */
  constructor(current: Buffer, previous?: readonly Buffer[]);
  constructor(keys: () => MasterKeys);
  constructor(current: Buffer | (() => MasterKeys), previous: readonly Buffer[] = []) {
    if (typeof current === "function") {
      this.load = current;
    } else {
      this.ring = ringOf({ current, previous });
      this.load = () => ({ current, previous });
    }
  }

  private keys(): Ring {
    this.ring ??= ringOf(this.load());
    return this.ring;
  }

  /** The fingerprint of the master key new values are sealed under. */
  currentKeyId(): string {
    return this.keys().currentId;
  }

  seal(plaintext: string, binding: Binding): string {
    const { currentId, keys } = this.keys();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", keys.get(currentId)!.sealing, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad("v2", currentId, binding));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v2", currentId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
  }

  /** The plaintext of a v2 value sealed for exactly this place. */
  open(sealed: string, binding: Binding): string {
    const parsed = parse(sealed);
    if (parsed.version === "v1") {
      throw new SealError(
        `${binding.table}.${binding.column} of ${binding.rowId} is in the old v1 format, which is bound to no row; ` +
          "the server reseals such values when it starts, or run: ladmin secrets reencrypt",
      );
    }
    return this.decrypt(parsed, binding);
  }

  /** True when the value is v2 under the current key: reencrypting would change nothing. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.keys().currentId}.`);
  }

  /**
   * The value sealed anew (v2, current key, this place) from a v1 value or a
   * v2 value of this place under any known key. The one way a v1 value is
   * read; it returns ciphertext, so a v1 value's plaintext never reaches a
   * caller that could use it.
   */
  reseal(sealed: string, binding: Binding): string {
    return this.seal(this.decrypt(parse(sealed), binding), binding);
  }

  private decrypt(parsed: Parsed, binding: Binding): string {
    const key = this.keys().keys.get(parsed.keyId);
    if (!key) throw new SealError(`sealed with unknown key ${parsed.keyId}; add that key to LAYERS_ENCRYPTION_KEYS_PREVIOUS`);
    const decipher = createDecipheriv("aes-256-gcm", parsed.version === "v1" ? key.master : key.sealing, parsed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(parsed.version, parsed.keyId, binding));
    decipher.setAuthTag(parsed.tag);
    try {
      return Buffer.concat([decipher.update(parsed.data), decipher.final()]).toString("utf8");
    } catch (error) {
      // GCM says only "unable to authenticate": the value was altered, or it was sealed for another place.
      throw new SealError(
        `the sealed value in ${binding.table}.${binding.column} of ${binding.rowId} does not open: it was altered, or sealed for another row or column`,
        { cause: error },
      );
    }
  }
}
