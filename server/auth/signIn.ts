import { verify } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { memberScope } from "../domain/scope";
import type { Budget } from "../ratelimit/budget";
import type { Services } from "../services";
import { emailSchema, findMembership, hashPassword } from "../users/service";

/** Failed guesses allowed per account and per client address before sign-in pauses. */
export const SIGN_IN_BUDGETS: { account: Budget; ip: Budget } = {
  account: { tokens: 5, windowMs: 15 * 60_000, text: "5/15m" },
  ip: { tokens: 20, windowMs: 15 * 60_000, text: "20/15m" },
};

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" | "throttled" };

// Verified against when the email is unknown, so both cases take the same time.
let dummyHash: Promise<string> | undefined;

/**
 * Email + password sign-in, throttled per account and per client address
 * with the same rate limiter the API uses. Outcomes are data.
 */
export async function authenticateUser(services: Services, input: { email: unknown; password: unknown; ip: string }): Promise<SignInResult> {
  const email = emailSchema.safeParse(input.email);
  const password = typeof input.password === "string" ? input.password : "";
  if (!email.success || !password || password.length > 256) return { ok: false, reason: "invalid" };

  const [account, ip] = await Promise.all([
    services.limiter.limit(`signin:account:${email.data}`, SIGN_IN_BUDGETS.account),
    services.limiter.limit(`signin:ip:${input.ip}`, SIGN_IN_BUDGETS.ip),
  ]);
  if (!account.success || !ip.success) return { ok: false, reason: "throttled" };

  const { db } = services.database;
  const [user] = await db.select().from(users).where(eq(users.email, email.data)).limit(1);
  dummyHash ??= hashPassword("layers-connect-no-such-user");
  const valid = await verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
  if (!user || !valid) return { ok: false, reason: "invalid" };

  const membership = await findMembership(db, user.id);
  if (membership) {
    await recordAudit({ db }, memberScope(membership.org.id, user.id), { action: "user.signed_in", targetType: "user", targetId: user.id });
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
