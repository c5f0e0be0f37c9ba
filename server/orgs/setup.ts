import { sql } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/db/ids";
import { memberships, organizations, users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { type DomainContext, inTransaction } from "../domain/context";
import { isSetupCode } from "../auth/setupCode";
import { AppError } from "../errors";
import { emailSchema, hashPassword, passwordSchema } from "../users/service";
import { parseInput } from "../validation";
import { nameSchema } from "./service";

export const setupInput = z.object({
  setupCode: z.string().max(100),
  orgName: nameSchema,
  name: z.string().trim().max(100).optional(),
  email: emailSchema,
  password: passwordSchema,
});

/** Refused setup code: the one refusal the caller's throttle counts. */
export class WrongSetupCode extends AppError {
  constructor() {
    super("VALIDATION", "The setup code is not right: use the one `npm start` printed.", { issues: [{ path: "setupCode", message: "is not the code `npm start` printed" }] });
  }
}

/**
 * The one-time console setup: the first organization and its owner. Allowed
 * only while no user exists and only with the setup code `npm start` prints
 * (so whoever merely reaches the port cannot claim the instance); an
 * advisory lock makes two racing setups one. It takes no scope: before it
 * there is no organization and no actor, and the code and the empty users
 * table are the only permission it needs.
 */
export async function setupFirstOwner(ctx: DomainContext, input: z.input<typeof setupInput>) {
  // The code before anything else: without it a caller learns nothing, not even which fields would pass.
  if (typeof input.setupCode !== "string" || !isSetupCode(ctx.config.authSecret, input.setupCode)) throw new WrongSetupCode();
  const parsed = parseInput(setupInput, input);
  const passwordHash = await hashPassword(parsed.password);
  return inTransaction(ctx, async (tx) => {
    await tx.db.execute(sql`select pg_advisory_xact_lock(727275)`);
    const existing = await tx.db.select({ id: users.id }).from(users).limit(1);
    if (existing.length) throw new AppError("VALIDATION", "Setup is already done: sign in instead.");
    const orgId = newId("org");
    const userId = newId("usr");
    await tx.db.insert(organizations).values({ id: orgId, name: parsed.orgName });
    await tx.db.insert(users).values({ id: userId, email: parsed.email, name: parsed.name || null, passwordHash });
    await tx.db.insert(memberships).values({ orgId, userId, role: "owner" });
    await recordAudit(tx, { kind: "org", orgId, actor: { type: "user", id: userId } }, { action: "org.set_up", targetType: "organization", targetId: orgId, data: { email: parsed.email } });
    return { orgId, userId, email: parsed.email };
  });
}
