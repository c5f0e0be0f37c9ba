import { createHash, timingSafeEqual } from "node:crypto";
import { randomBase32 } from "@/db/ids";
import type { KeyMode } from "@/db/schema";

/**
 * API key tokens: `lp_<live|test>_<publicId>_<secret>`. The public part (16
 * base32 chars) finds the key; the secret (32 base32 chars = 160 random bits)
 * proves it. Only SHA-256(secret) is stored.
 */
const TOKEN_RE = /^lp_(live|test)_([0-9A-HJKMNP-TV-Z]{16})_([0-9A-HJKMNP-TV-Z]{32})$/;

export interface ParsedToken {
  mode: KeyMode;
  publicId: string;
  secret: string;
}

export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN_RE.exec(token);
  if (!match) return null;
  return { mode: match[1] as KeyMode, publicId: match[2]!, secret: match[3]! };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function generateToken(mode: KeyMode): { token: string; publicId: string; secretHash: string } {
  const publicId = randomBase32(16);
  const secret = randomBase32(32);
  return { token: `lp_${mode}_${publicId}_${secret}`, publicId, secretHash: hashSecret(secret) };
}

/** What the console and CLI show for a key: never the secret. */
export const displayPrefix = (mode: KeyMode, publicId: string) => `lp_${mode}_${publicId}`;
