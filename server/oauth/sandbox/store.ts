import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, inArray, isNull, lt, or } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { type Platform, type SandboxTokenKind, sandboxTokens } from "@/db/schema";
import type { SandboxUser } from "./identity";
import type { GrantLifetimes } from "./lifetimes";

export type SandboxTokenRow = typeof sandboxTokens.$inferSelect;

/** Codes and tokens are stored by this hash only. */
export const tokenHash = (value: string) => createHash("sha256").update(value).digest("hex");

/** `bytes` random bytes as base64url text. */
export const randomText = (bytes: number) => randomBytes(bytes).toString("base64url");

/** One consent: who, for which client, with which scopes and token lifetimes. Codes and tokens inherit it. */
export interface SandboxGrant {
  grantId: string;
  platform: Platform;
  clientId: string;
  user: SandboxUser;
  scopes: string[];
  lifetimes: GrantLifetimes;
}

export const newGrant = (input: Omit<SandboxGrant, "grantId">): SandboxGrant => ({ grantId: randomUUID(), ...input });

/** The consent a stored code or token belongs to. */
export const grantOf = (row: SandboxTokenRow): SandboxGrant => ({
  grantId: row.grantId,
  platform: row.platform,
  clientId: row.clientId,
  user: { platform: row.platform, username: row.username, displayName: row.displayName, userId: row.userId },
  scopes: row.grantedScopes,
  lifetimes: { accessTtlSeconds: row.accessTtlSeconds, refreshTtlSeconds: row.refreshTtlSeconds },
});

const unexpired = (now: Date) => gt(sandboxTokens.expiresAt, now);

export interface IssueSpec {
  kind: SandboxTokenKind;
  value: string;
  expiresAt: Date;
  /** Codes only. */
  redirectUri?: string;
  codeChallenge?: string | null;
}

/** Stores the hashes of freshly minted codes or tokens of one grant, all or none. */
export async function storeTokens(db: Queryable, grant: SandboxGrant, specs: IssueSpec[], now: Date) {
  await db.insert(sandboxTokens).values(
    specs.map((spec) => ({
      tokenHash: tokenHash(spec.value),
      kind: spec.kind,
      platform: grant.platform,
      clientId: grant.clientId,
      grantId: grant.grantId,
      userId: grant.user.userId,
      username: grant.user.username,
      displayName: grant.user.displayName,
      grantedScopes: grant.scopes,
      redirectUri: spec.redirectUri ?? null,
      codeChallenge: spec.codeChallenge ?? null,
      accessTtlSeconds: grant.lifetimes.accessTtlSeconds,
      refreshTtlSeconds: grant.lifetimes.refreshTtlSeconds,
      expiresAt: spec.expiresAt,
      createdAt: now,
    })),
  );
}

/** Why a code or token was refused; the platform modules word it in each platform's dialect. */
export type Refusal =
  | "not_found"
  | "used"
  | "expired"
  | "revoked"
  | "wrong_client"
  | "redirect_uri_mismatch"
  | "verifier_mismatch"
  /** A code_verifier for a code whose authorize request had no code_challenge. */
  | "unexpected_verifier";

export type Redemption = { ok: true; row: SandboxTokenRow } | { ok: false; refusal: Refusal };

export interface CodeRedemption {
  platform: Platform;
  code: string;
  clientId: string;
  redirectUri: string;
  /** TikTok PKCE; the stored challenge is the hex SHA-256 of it. */
  codeVerifier?: string;
}

/**
 * Consumes an authorization code: one conditional UPDATE that only succeeds
 * while the code is unused, unexpired and presented by its client with its
 * redirect_uri (and verifier), so concurrent redemptions cannot both win and
 * a mistaken attempt does not burn the code. On a miss, the row is read
 * again only to say why.
 */
export async function redeemCode(db: Queryable, input: CodeRedemption, now: Date): Promise<Redemption> {
  const hash = tokenHash(input.code);
  const challenge = input.codeVerifier !== undefined ? createHash("sha256").update(input.codeVerifier).digest("hex") : null;
  // Exact: no verifier for no challenge. A verifier sent for a code issued
  // without a challenge is refused too (RFC 9700 §2.1.1, PKCE downgrade):
  // otherwise a stolen code from a challenge-less request could be passed off
  // as a PKCE-protected one.
  const challengeMatches = challenge === null ? isNull(sandboxTokens.codeChallenge) : eq(sandboxTokens.codeChallenge, challenge);
  const [row] = await db
    .update(sandboxTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(sandboxTokens.tokenHash, hash),
        eq(sandboxTokens.kind, "code"),
        eq(sandboxTokens.platform, input.platform),
        isNull(sandboxTokens.usedAt),
        isNull(sandboxTokens.revokedAt),
        unexpired(now),
        eq(sandboxTokens.clientId, input.clientId),
        eq(sandboxTokens.redirectUri, input.redirectUri),
        challengeMatches,
      ),
    )
    .returning();
  if (row) return { ok: true, row };

  const found = await findRow(db, hash, input.platform, ["code"]);
  if (!found) return { ok: false, refusal: "not_found" };
  if (found.usedAt) return { ok: false, refusal: "used" };
  if (found.revokedAt) return { ok: false, refusal: "revoked" };
  if (found.expiresAt <= now) return { ok: false, refusal: "expired" };
  if (found.clientId !== input.clientId) return { ok: false, refusal: "wrong_client" };
  if (found.redirectUri !== input.redirectUri) return { ok: false, refusal: "redirect_uri_mismatch" };
  if (found.codeChallenge === null && challenge !== null) return { ok: false, refusal: "unexpected_verifier" };
  if (found.codeChallenge !== challenge) return { ok: false, refusal: "verifier_mismatch" };
  // Everything matches now, so a concurrent redemption won the race.
  return { ok: false, refusal: "used" };
}

/** Consumes a refresh token (single use: it rotates), with the same race-free UPDATE. */
export async function redeemRefreshToken(db: Queryable, input: { platform: Platform; token: string; clientId: string }, now: Date): Promise<Redemption> {
  const hash = tokenHash(input.token);
  const [row] = await db
    .update(sandboxTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(sandboxTokens.tokenHash, hash),
        eq(sandboxTokens.kind, "refresh"),
        eq(sandboxTokens.platform, input.platform),
        eq(sandboxTokens.clientId, input.clientId),
        isNull(sandboxTokens.usedAt),
        isNull(sandboxTokens.revokedAt),
        unexpired(now),
      ),
    )
    .returning();
  if (row) return { ok: true, row };
  const found = await findRow(db, hash, input.platform, ["refresh"]);
  if (!found) return { ok: false, refusal: "not_found" };
  if (found.revokedAt) return { ok: false, refusal: "revoked" };
  if (found.usedAt) return { ok: false, refusal: "used" };
  if (found.expiresAt <= now) return { ok: false, refusal: "expired" };
  if (found.clientId !== input.clientId) return { ok: false, refusal: "wrong_client" };
  return { ok: false, refusal: "used" };
}

/** A bearer token that may be used right now (not revoked, not expired). */
export async function activeToken(db: Queryable, platform: Platform, value: string, kinds: SandboxTokenKind[], now: Date): Promise<Redemption> {
  const row = await findRow(db, tokenHash(value), platform, kinds);
  if (!row) return { ok: false, refusal: "not_found" };
  if (row.revokedAt) return { ok: false, refusal: "revoked" };
  if (row.expiresAt <= now) return { ok: false, refusal: "expired" };
  return { ok: true, row };
}

/** Revokes every code and token of one consent. */
export async function revokeGrant(db: Queryable, grantId: string, now: Date) {
  await db
    .update(sandboxTokens)
    .set({ revokedAt: now })
    .where(and(eq(sandboxTokens.grantId, grantId), isNull(sandboxTokens.revokedAt)));
}

/**
 * Revokes every code and token of one sandbox user's consents to one client
 * that could still be used (the consent page's "Revoke access", standing in
 * for the user removing the app on the platform); answers how many consents
 * that ended. What is already dead keeps its cause of death: an expired
 * Instagram token goes on saying "expired" (463) rather than "removed"
 * (458), a rotated refresh token "already used".
 */
export async function revokeUserGrants(db: Queryable, input: { platform: Platform; clientId: string; userId: string }, now: Date): Promise<number> {
  const revoked = await db
    .update(sandboxTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sandboxTokens.platform, input.platform),
        eq(sandboxTokens.clientId, input.clientId),
        eq(sandboxTokens.userId, input.userId),
        isNull(sandboxTokens.revokedAt),
        isNull(sandboxTokens.usedAt),
        unexpired(now),
      ),
    )
    .returning({ grantId: sandboxTokens.grantId });
  return new Set(revoked.map((row) => row.grantId)).size;
}

/**
 * How long a code or a short-lived Instagram token stays after it expires:
 * long enough that a late redemption still hears "expired" rather than
 * "invalid", short enough that unused codes are kept for minutes, not days.
 */
export const SHORT_ROW_GRACE_MS = 5 * 60_000;
/** Access and refresh tokens stay a week past expiry, so a dead token is told apart from an unknown one. */
export const LONG_ROW_GRACE_MS = 7 * 86_400_000;

/**
 * Deletes what tells nobody anything any more. Run on every code issue and
 * every code exchange, so a burst of abandoned consents is gone within
 * minutes of the next sandbox connection. Both deletes are range scans of
 * sandbox_tokens_expires_idx: everything before the cut-off has already
 * been pruned but for access and refresh tokens in their week of grace.
 */
export async function pruneExpired(db: Queryable, now: Date) {
  const t = now.getTime();
  await db
    .delete(sandboxTokens)
    .where(
      or(
        and(inArray(sandboxTokens.kind, ["code", "short_lived"]), lt(sandboxTokens.expiresAt, new Date(t - SHORT_ROW_GRACE_MS))),
        lt(sandboxTokens.expiresAt, new Date(t - LONG_ROW_GRACE_MS)),
      ),
    );
}

async function findRow(db: Queryable, hash: string, platform: Platform, kinds: SandboxTokenKind[]): Promise<SandboxTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(sandboxTokens)
    .where(and(eq(sandboxTokens.tokenHash, hash), eq(sandboxTokens.platform, platform), inArray(sandboxTokens.kind, kinds)))
    .limit(1);
  return row;
}
