import { hkdfSync, timingSafeEqual } from "node:crypto";

// Crockford's base32: no I, L, O or U, so a code read off a terminal is typed back right.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS = 4;
const GROUP_LENGTH = 4;

/**
 * The one-time setup code: 80 bits derived from AUTH_SECRET with HKDF, shown
 * as four groups of four. Derived, not stored: every instance of a deployment
 * prints the same code, and it stops mattering once the first user exists
 * (setup is refused from then on). Knowing it says nothing of AUTH_SECRET.
 */
export function setupCode(authSecret: string): string {
  const bytes = Buffer.from(hkdfSync("sha256", authSecret, "layers-connect", "console setup code v1", 10));
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let text = "";
  for (let i = GROUPS * GROUP_LENGTH - 1; i >= 0; i--) text += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return text.match(new RegExp(`.{${GROUP_LENGTH}}`, "g"))!.join("-");
}

/** What a person may type for a character: lower case, and the letters Crockford reads as digits. */
function normalize(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

/** Compares in constant time, whatever the typed length. */
export function isSetupCode(authSecret: string, typed: string): boolean {
  const expected = Buffer.from(normalize(setupCode(authSecret)));
  const given = Buffer.from(normalize(typed));
  const padded = Buffer.alloc(expected.length);
  given.copy(padded, 0, 0, expected.length);
  return timingSafeEqual(padded, expected) && given.length === expected.length;
}
