import { randomBytes } from "node:crypto";
import { ulid } from "ulid";
import { pooledRandom } from "../server/crypto/pooledRandom";

/** Every public identifier is a type prefix plus a ULID (CONTRACT.md §1). */
export type IdPrefix = "org" | "usr" | "prj" | "key" | "sa" | "req" | "we" | "evt" | "whd";

export function newId<P extends IdPrefix>(prefix: P): `${P}_${string}` {
  return `${prefix}_${ulid(undefined, pooledRandom)}`;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Random Crockford base32 text: 5 bits of entropy per character. 256 is a
 * multiple of 32, so masking a byte to 5 bits is unbiased.
 */
export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += CROCKFORD[bytes[i]! & 31];
  return out;
}

/** OAuth attempt ids double as the `state` parameter: 32 chars = 160 random bits. */
export function newStateId(): string {
  return `st_${randomBase32(32)}`;
}

export { ID_PATTERNS } from "../server/contract/ids";
