import { createHash, hkdfSync } from "node:crypto";

/**
 * Every key this instance uses comes from LAYERS_ENCRYPTION_KEY through HKDF,
 * one key per use, so a key that leaks through one use (the sandbox's client
 * secret is sent over the wire on every token request) tells nothing about
 * the key that seals platform tokens, and the master key itself is never
 * used for anything directly.
 */
export const KEY_PURPOSES = {
  /** AES-256-GCM key for sealed values at rest (platform tokens, PKCE verifiers, webhook secrets). */
  tokenSealing: "token-sealing",
  /** The sandbox app's client secret for one platform. */
  sandboxClientSecret: (platform: string) => `sandbox-client-secret:${platform}`,
} as const;

// A fixed salt: the master key is already uniformly random, the salt only
// separates this application's derivations from anyone else's.
const SALT = Buffer.from("layers-connect/hkdf/v1");

// Derived once per master key and purpose: the sandbox's client secret is needed on every oauth-url call.
const derived = new WeakMap<Buffer, Map<string, Buffer>>();

/** The key for one use. The same Buffer is returned on every call: read it, never write to it. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  if (master.length !== 32) throw new Error("encryption keys must be 32 bytes");
  let byPurpose = derived.get(master);
  if (!byPurpose) derived.set(master, (byPurpose = new Map()));
  let key = byPurpose.get(purpose);
  if (!key) byPurpose.set(purpose, (key = Buffer.from(hkdfSync("sha256", master, SALT, `layers-connect/${purpose}`, 32))));
  return key;
}

/**
 * A short public fingerprint of a master key: the first 8 hex chars of its
 * SHA-256. Sealed values name their master key with it (whatever was derived
 * from it), so an operator can tell which of LAYERS_ENCRYPTION_KEY and
 * LAYERS_ENCRYPTION_KEYS_PREVIOUS a value needs.
 */
export function keyId(master: Buffer): string {
  return createHash("sha256").update(master).digest("hex").slice(0, 8);
}
