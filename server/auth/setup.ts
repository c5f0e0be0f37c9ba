import { createHash } from "node:crypto";
import type { z } from "zod";
import { domainContext } from "../domain/context";
import { throttledFaultLog } from "../log";
import { setupFirstOwner, type setupInput, WrongSetupCode } from "../orgs/setup";
import { isRateLimitUnavailable } from "../ratelimit";
import type { Budget } from "../ratelimit/budget";
import type { Services } from "../services";

/** Wrong setup codes allowed per client address per 15 minutes (80 bits need no more to stay unguessable). */
export const SETUP_BUDGET: Budget = { tokens: 10, windowMs: 15 * 60_000, text: "10/15m" };

const logStoreFault = throttledFaultLog("setup throttle store unavailable");

export type SetupOutcome = { ok: true; email: string } | { ok: false; reason: "throttled" | "unavailable" };

/**
 * Setup as the console form runs it: throttled per client address like
 * sign-in, counting only wrong codes, and refused when the store cannot say.
 */
export async function setUpFromAddress(services: Services, address: string, input: z.input<typeof setupInput>): Promise<SetupOutcome> {
  const { limiter } = services;
  const id = `setup:addr:${createHash("sha256").update(address).digest("base64url").slice(0, 22)}`;
  let charge;
  try {
    charge = await limiter.charge(id, SETUP_BUDGET, 1);
  } catch (error) {
    if (!isRateLimitUnavailable(error)) throw error;
    logStoreFault(error, { backend: limiter.backend });
    return { ok: false, reason: "unavailable" };
  }
  // A lost give-back leaves one attempt counted until the window ends: logged, not fatal.
  const giveBack = async () => {
    if (Date.now() < charge.resetMs) await limiter.charge(id, SETUP_BUDGET, -1).catch((error: unknown) => logStoreFault(error, { backend: limiter.backend }));
  };
  if (!charge.success) {
    await giveBack();
    return { ok: false, reason: "throttled" };
  }
  try {
    const created = await setupFirstOwner(domainContext(services), input);
    await giveBack();
    return { ok: true, email: created.email };
  } catch (error) {
    if (!(error instanceof WrongSetupCode)) await giveBack();
    throw error;
  }
}
