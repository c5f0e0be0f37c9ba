import { createHash } from "node:crypto";
import { verify } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { memberScope } from "../domain/scope";
import { log, throttledFaultLog } from "../log";
import { isRateLimitUnavailable } from "../ratelimit";
import type { Budget } from "../ratelimit/budget";
import type { Services } from "../services";
import { emailSchema, findMembership, hashPassword } from "../users/service";
import { Gate } from "./gate";

const WINDOW_MS = 15 * 60_000;

/**
 * Failed sign-ins allowed per 15 minutes before sign-in pauses:
 * - `accountAddress` (5): guesses at one account from one address. The owner's
 *   own typos end here, and only here: their address is theirs.
 * - `address` (20): one address across accounts (password spraying), enough
 *   for an office behind one NAT to mistype.
 * - `account` (50): one account from every address together. Ten times the
 *   per-address budget, so an attacker needs ten addresses to lock an owner
 *   out for a window, while a botnet still gets 50 guesses per 15 minutes
 *   (about 5,000 a day) at a 12-character password rather than thousands a
 *   minute.
 * Only failures count: a success gives its charge back and clears the
 * account's failures from that address.
 */
export const SIGN_IN_BUDGETS = {
  accountAddress: { tokens: 5, windowMs: WINDOW_MS, text: "5/15m" },
  address: { tokens: 20, windowMs: WINDOW_MS, text: "20/15m" },
  account: { tokens: 50, windowMs: WINDOW_MS, text: "50/15m" },
} as const satisfies Record<string, Budget>;

/** At most 4 verifications at once per process, 16 more waiting; beyond that sign-in says it is busy. */
export const argon2Gate = new Gate(4, 16);

export type SignInRefusal = "invalid" | "throttled" | "unavailable" | "busy" | "disabled";

export type SignInResult = { ok: true; user: { id: string; email: string; name: string | null } } | { ok: false; reason: SignInRefusal };

// Verified against when the email is unknown, so both cases take the same time.
let dummyHash: Promise<string> | undefined;

const logStoreFault = throttledFaultLog("sign-in throttle store unavailable; sign-in refused");

// Emails and addresses are hashed into the keys: the rate-limit store need not hold either.
const digest = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 22);

function counters(email: string, address: string) {
  const account = digest(email);
  const from = digest(address);
  return [
    { id: `signin:acct-addr:${account}:${from}`, budget: SIGN_IN_BUDGETS.accountAddress },
    { id: `signin:addr:${from}`, budget: SIGN_IN_BUDGETS.address },
    { id: `signin:acct:${account}`, budget: SIGN_IN_BUDGETS.account },
  ];
}

/**
 * Email + password sign-in. Every attempt is charged to its three budgets
 * before the password is looked at, so concurrent guesses cannot slip past a
 * budget; a refused or successful attempt then gives its charge back, which
 * leaves only failures counted. The throttle fails closed: a store that
 * cannot answer refuses sign-in. Outcomes are data.
 */
export async function authenticateUser(services: Services, input: { email: unknown; password: unknown; address: string }): Promise<SignInResult> {
  const email = emailSchema.safeParse(input.email);
  const password = typeof input.password === "string" ? input.password : "";
  if (!email.success || !password || password.length > 256) return { ok: false, reason: "invalid" };

  const { limiter } = services;
  const keys = counters(email.data, input.address);
  const charged = await Promise.allSettled(keys.map((k) => limiter.charge(k.id, k.budget, 1)));
  const giveBack = (except: Set<number> = new Set()) =>
    Promise.all(
      charged.map(async (c, i) => {
        if (c.status === "fulfilled" && !except.has(i) && Date.now() < c.value.resetMs) await limiter.charge(keys[i]!.id, keys[i]!.budget, -1);
      }),
    ).catch((error: unknown) => logStoreFault(error, { backend: limiter.backend }));

  const fault = charged.find((c) => c.status === "rejected");
  if (fault) {
    if (!isRateLimitUnavailable(fault.reason)) throw fault.reason;
    logStoreFault(fault.reason, { backend: limiter.backend });
    await giveBack();
    return { ok: false, reason: "unavailable" };
  }
  if (charged.some((c) => c.status === "fulfilled" && !c.value.success)) {
    await giveBack();
    return { ok: false, reason: "throttled" };
  }

  const { db } = services.database;
  dummyHash ??= hashPassword("layers-connect-no-such-user");
  const checked = await argon2Gate.run(async () => {
    const [user] = await db.select().from(users).where(eq(users.email, email.data)).limit(1);
    const valid = await verify(user?.passwordHash ?? (await dummyHash!), password).catch(() => false);
    return { user, valid };
  });
  if (!checked) {
    await giveBack();
    log.warn("sign-in refused: too many verifications at once", argon2Gate.load);
    return { ok: false, reason: "busy" };
  }
  const { user, valid } = checked;
  if (!user || !valid) return { ok: false, reason: "invalid" };
  // After the password, so "disabled" tells only someone who knows it.
  if (user.disabledAt) return { ok: false, reason: "disabled" };

  await giveBack(new Set([0]));
  await forgetFailures(services, keys[0]!);

  const membership = await findMembership(db, user.id);
  if (membership) {
    await recordAudit({ db }, memberScope(membership.org.id, user.id), { action: "user.signed_in", targetType: "user", targetId: user.id });
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

/** A success clears the account's failures from this address (the owner's own typos), this attempt's charge included. */
async function forgetFailures(services: Services, key: { id: string; budget: Budget }) {
  try {
    const now = await services.limiter.peek(key.id, key.budget);
    const used = now.limit - now.remaining;
    if (used > 0) await services.limiter.charge(key.id, key.budget, -used);
  } catch (error) {
    // The sign-in stands: the worst a lost reset does is leave the typos counted until the window ends.
    logStoreFault(error, { backend: services.limiter.backend });
  }
}
