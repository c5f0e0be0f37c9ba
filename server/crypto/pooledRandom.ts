import { randomFillSync } from "node:crypto";

/**
 * A uniform number in [0, 1) with 8 bits of entropy, for `ulid(time, prng)`.
 * ulid's own generator asks the system for one byte per character, 16 calls
 * per id (12 % of the API's CPU under load, measured with `npm run bench`);
 * this draws the same kind of bytes from a buffer refilled 4 KiB at a time.
 * Ids are identifiers, not secrets (states and keys use randomBase32).
 * No imports but node:crypto: the front (scripts/serve.ts) loads it by type stripping.
 */
const pool = Buffer.alloc(4096);
let next = pool.length;

export function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}
