import { eq, sql } from "drizzle-orm";
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
 * The organization setup gives its first owner: the instance's one
 * organization when it has exactly one and nobody is a member of it (the
 * demo `npm start` seeds, or one an operator made with ladmin), so the
 * console shows what the walkthrough created; otherwise a new one.
 */
export async function setupTarget(ctx: Pick<DomainContext, "db">): Promise<{ kind: "join"; orgId: string; name: string } | { kind: "new" }> {
  const orgs = await ctx.db.select({ id: organizations.id, name: organizations.name }).from(organizations).limit(2);
  if (orgs.length !== 1) return { kind: "new" };
  const [member] = await ctx.db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.orgId, orgs[0]!.id)).limit(1);
  return member ? { kind: "new" } : { kind: "join", orgId: orgs[0]!.id, name: orgs[0]!.name };
}

/**
 * The one-time console setup: the first owner, of the organization
 * `setupTarget` names (renamed to the given name) or of a new one. Allowed
 * only while no user exists and only with the setup code `npm start` prints
 * (so whoever merely reaches the port cannot claim the instance); an
 * advisory lock makes two racing setups one. It takes no scope: before it
 * there is no actor, and the code and the empty users table are the only
 * permission it needs.
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
    const target = await setupTarget(tx);
    const orgId = target.kind === "join" ? target.orgId : newId("org");
    const userId = newId("usr");
    if (target.kind === "join") await tx.db.update(organizations).set({ name: parsed.orgName }).where(eq(organizations.id, orgId));
    else await tx.db.insert(organizations).values({ id: orgId, name: parsed.orgName });
    await tx.db.insert(users).values({ id: userId, email: parsed.email, name: parsed.name || null, passwordHash });
    await tx.db.insert(memberships).values({ orgId, userId, role: "owner" });
    await recordAudit(tx, { kind: "org", orgId, actor: { type: "user", id: userId } }, {
      action: "org.set_up",
      targetType: "organization",
      targetId: orgId,
      data: { email: parsed.email, joined: target.kind === "join" },
    });
    return { orgId, userId, email: parsed.email, joined: target.kind === "join" };
  });
}
