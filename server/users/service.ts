import { hash } from "@node-rs/argon2";
import { z } from "zod";
import { asc, count, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { newId } from "@/db/ids";
import { memberships, organizations, ROLES, users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { type DomainContext, inTransaction } from "../domain/context";
import type { OrgScope } from "../domain/scope";
import { AppError, isUniqueViolation } from "../errors";
import { requireOrganization } from "../orgs/service";
import { parseInput } from "../validation";

// Argon2id (the library's enum is a const enum, which isolated modules cannot import).
const ARGON2ID = 2;

export const hashPassword = (password: string) => hash(password, { algorithm: ARGON2ID });

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("must be an email address"));
export const passwordSchema = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(256, "must be at most 256 characters");

export const createUserInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  role: z.enum(ROLES),
  name: z.string().trim().max(100).optional(),
});

/**
 * Emails are unique across the instance, so an email in use cannot make a
 * new user. The refusal is one sentence whoever holds the email (someone in
 * this organization, which the members list shows anyway, or in another):
 * it names no organization, user, role or name, and the password was hashed
 * before the insert either way, so the time taken says nothing either.
 */
const emailTaken = () =>
  new AppError("VALIDATION", "A console user with that email already exists. Use another address.", { issues: [{ path: "email", message: "already exists" }] });

/** Creates a console user and its membership in one organization. */
export async function createUser(ctx: DomainContext, scope: OrgScope, input: z.input<typeof createUserInput>) {
  const { email, password, role, name } = parseInput(createUserInput, input);
  await requireOrganization(ctx, scope);
  const { orgId } = scope;
  const passwordHash = await hashPassword(password);
  const id = newId("usr");
  try {
    await inTransaction(ctx, async (tx) => {
      await tx.db.insert(users).values({ id, email, name: name ?? null, passwordHash });
      await tx.db.insert(memberships).values({ orgId, userId: id, role });
      await recordAudit(tx, scope, { action: "user.created", targetType: "user", targetId: id, data: { email, role } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
  return { id, email, role };
}

export async function listMembers(ctx: DomainContext, scope: OrgScope) {
  const rows = await ctx.db
    .select({ id: users.id, email: users.email, name: users.name, role: memberships.role, disabledAt: users.disabledAt, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, scope.orgId))
    .orderBy(asc(memberships.createdAt));
  return rows.map((r) => ({ ...r, disabledAt: r.disabledAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

/**
 * A user's organization and role in it (the console works in the user's
 * first organization). Like `countUsers`, a sign-in lookup: it is what makes
 * the scope, so it takes none.
 */
export async function findMembership(db: Queryable, userId: string) {
  const [row] = await db
    .select({ user: { id: users.id, email: users.email, name: users.name }, org: { id: organizations.id, name: organizations.name }, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  return row ?? null;
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return Number(row?.n ?? 0);
}
