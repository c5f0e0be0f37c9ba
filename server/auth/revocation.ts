import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { users } from "@/db/schema";

/** Ends every console session of a user (sign-out): sessions issued before now are refused. */
export async function revokeSessions(db: Queryable, userId: string, at = new Date()) {
  await db.update(users).set({ sessionsRevokedAt: at }).where(eq(users.id, userId));
}

/**
 * Is a session from a sign-in at `signedInAtMs` still good? No when the user
 * is gone or signed out after that sign-in. (The JWT's own `iat` will not do:
 * it is renewed every time the session is read.)
 */
export async function isSessionValid(db: Queryable, userId: string, signedInAtMs: number): Promise<boolean> {
  const [user] = await db.select({ revokedAt: users.sessionsRevokedAt }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user) return false;
  return !user.revokedAt || signedInAtMs > user.revokedAt.getTime();
}
