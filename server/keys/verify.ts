import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { preparedQuery } from "@/db/prepared";
import { apiKeys } from "@/db/schema";
import { describeError, log } from "../log";
import { hashSecret, parseToken, secretMatches } from "./token";

/**
 * The API key on every /v1 request: verifying a presented token, and
 * recording its use. Managing keys (create, revoke, allowlists) is in
 * service.ts.
 */

export type KeyVerification =
  | { valid: true; key: VerifiedKey }
  | { valid: false; code: "MALFORMED" | "UNKNOWN" | "REVOKED" | "EXPIRED" };

export interface VerifiedKey {
  id: string;
  orgId: string;
  mode: "live" | "test";
  scopes: string[];
  writeLimit: string | null;
  readLimit: string | null;
  lastUsedAt: Date | null;
}

const keyByPublicId = preparedQuery("key_by_public_id", (db) =>
  db
    .select({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      mode: apiKeys.mode,
      secretHash: apiKeys.secretHash,
      scopes: apiKeys.scopes,
      writeLimit: apiKeys.writeLimit,
      readLimit: apiKeys.readLimit,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      expiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.publicId, sql.placeholder("publicId")))
    .limit(1)
    .prepare("key_by_public_id"),
);

// Compared against when no key matches, so a miss costs what a hit costs.
const DUMMY_HASH = hashSecret("layers-connect-no-such-key");

/**
 * Verifies a presented token. Outcomes are data; only a failing database
 * throws. The secret is compared in constant time. Takes no scope: the key
 * is what the REST API's scope is made from (`keyScope`).
 */
export async function verifyApiKey(db: Queryable, token: string, now = new Date()): Promise<KeyVerification> {
  const parsed = parseToken(token);
  if (!parsed) return { valid: false, code: "MALFORMED" };
  const [row] = await keyByPublicId(db).execute({ publicId: parsed.publicId });
  const matches = secretMatches(parsed.secret, row?.secretHash ?? DUMMY_HASH);
  if (!row || !matches || row.mode !== parsed.mode) return { valid: false, code: "UNKNOWN" };
  if (row.revokedAt) return { valid: false, code: "REVOKED" };
  if (row.expiresAt && row.expiresAt <= now) return { valid: false, code: "EXPIRED" };
  const { secretHash: _hash, revokedAt: _revoked, expiresAt: _expires, ...key } = row;
  return { valid: true, key };
}

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Records use at most once a minute per key, off the request's path: the
 * conditional UPDATE makes concurrent requests and replicas write once.
 */
export function touchLastUsed(db: Queryable, key: VerifiedKey, now = new Date()) {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const threshold = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  db.update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, threshold))))
    .then(
      () => {},
      (error: unknown) => log.warn("could not record key use", { keyId: key.id, error: describeError(error) }),
    );
}
