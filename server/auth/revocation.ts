import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { memberScope } from "../domain/scope";
import { findMembership } from "../users/service";

/** Ends every console session of a user (sign-out): sessions issued before now are refused. */
export async function revokeSessions(db: Queryable, userId: string, at = new Date()) {
  await db.update(users).set({ sessionsRevokedAt: at }).where(eq(users.id, userId));
}

/** The console's sign-out: every session of the user ends, and their organization's audit log says so. */
export async function signOutEverywhere(db: Queryable, userId: string, at = new Date()) {
  await revokeSessions(db, userId, at);
  const membership = await findMembership(db, userId);
  if (membership) await recordAudit({ db }, memberScope(membership.org.id, userId), { action: "user.signed_out", targetType: "user", targetId: userId });
}

/**
 * Is a session from a sign-in at `signedInAtMs` still good? No when the user
 * is gone, disabled, or signed out (or had their password changed) after that
 * sign-in. (The JWT's own `iat` will not do: it is renewed every time the
 * session is read.)
 */
export async function isSessionValid(db: Queryable, userId: string, signedInAtMs: number): Promise<boolean> {
  const [user] = await db.select({ revokedAt: users.sessionsRevokedAt, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user || user.disabledAt) return false;
  return !user.revokedAt || signedInAtMs > user.revokedAt.getTime();
}

/**
 * The session token's check on every use: a sign-in stamps `signedInAt`;
 * afterwards the token lives while the user's sessions stand and at most
 * `maxAgeMs` from that sign-in. Re-signing the cookie renews the JWT's own
 * expiry, never `signedInAt`, so an active tab cannot stretch a session.
 * Returns the token to keep, or null to end the session.
 */
export async function checkSessionToken<T extends { sub?: string; signedInAt?: unknown }>(db: Queryable, token: T, maxAgeMs: number, now = Date.now()): Promise<T | null> {
  if (!token.sub || typeof token.signedInAt !== "number") return null;
  if (now - token.signedInAt >= maxAgeMs || token.signedInAt > now) return null;
  return (await isSessionValid(db, token.sub, token.signedInAt)) ? token : null;
}
