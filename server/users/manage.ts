import { and, asc, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import { memberships, ROLES, users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { revokeSessions } from "../auth/revocation";
import { ids } from "../contract/ids";
import { type DomainContext, inTransaction } from "../domain/context";
import { type Scope, scopeOfRow } from "../domain/scope";
import { AppError } from "../errors";
import { parseInput } from "../validation";
import { hashPassword, passwordSchema } from "./service";


/**
 * Managing console users after they exist: roles, removal, disabling,
 * passwords. The console acts in its own organization (an OrgScope); ladmin
 * names a user by id alone (the OperatorScope) and acts in the user's
 * organization. Whatever takes a user's access away ends their sessions in
 * the same transaction, and an organization always keeps an enabled owner.
 */

const userIdInput = z.object({ userId: ids.usr });
// Made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const roleInput = userIdInput.extend({ role: z.enum(ROLES) });
const passwordInput = userIdInput.extend({ password: passwordSchema });

/** The user's membership under `scope`, locked for the change; NOT_FOUND outside it. */
async function memberFor(tx: DomainContext, scope: Scope, userId: string) {
  const [row] = await tx.db
    .select({ orgId: memberships.orgId, role: memberships.role, email: users.email, disabledAt: users.disabledAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(scope.kind === "org" ? and(eq(memberships.userId, userId), eq(memberships.orgId, scope.orgId)) : eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt))
    .limit(1)
    .for("update");
  if (!row) throw new AppError("NOT_FOUND", `User ${userId} was not found${scope.kind === "org" ? " in this organization" : ""}.`);
  return { ...row, scope: scopeOfRow(scope, row.orgId) };
}

/**
 * Refuses a change that would leave the organization without an enabled
 * owner. The other owners' rows are locked, so two owners demoting each
 * other at once cannot both pass: the second waits and then sees one owner.
 */
async function requireAnotherOwner(tx: DomainContext, orgId: string, userId: string) {
  const others = await tx.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner"), ne(memberships.userId, userId), isNull(users.disabledAt)))
    .for("update");
  if (others.length === 0) throw new AppError("VALIDATION", "An organization needs an owner: make someone else an owner first.");
}

const isActiveOwner = (member: { role: string; disabledAt: Date | null }) => member.role === "owner" && !member.disabledAt;

export async function setMemberRole(ctx: DomainContext, scope: Scope, input: { userId: string; role: string }) {
  const { userId, role } = parseInput(roleInput, input);
  return inTransaction(ctx, async (tx) => {
    const member = await memberFor(tx, scope, userId);
    if (role !== "owner" && isActiveOwner(member)) await requireAnotherOwner(tx, member.orgId, userId);
    await tx.db.update(memberships).set({ role }).where(and(eq(memberships.orgId, member.orgId), eq(memberships.userId, userId)));
    await recordAudit(tx, member.scope, { action: "user.role_changed", targetType: "user", targetId: userId, data: { email: member.email, from: member.role, to: role } });
    return { id: userId, role };
  });
}

/**
 * Takes the user out of the organization. A user in no other organization is
 * deleted (their email can be used again, and every session ends with them);
 * otherwise their sessions end.
 */
export async function removeMember(ctx: DomainContext, scope: Scope, input: { userId: string }) {
  const { userId } = parseInput(userIdInput, input);
  return inTransaction(ctx, async (tx) => {
    const member = await memberFor(tx, scope, userId);
    if (isActiveOwner(member)) await requireAnotherOwner(tx, member.orgId, userId);
    await tx.db.delete(memberships).where(and(eq(memberships.orgId, member.orgId), eq(memberships.userId, userId)));
    const [elsewhere] = await tx.db.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId)).limit(1);
    if (elsewhere) await revokeSessions(tx.db, userId);
    else await tx.db.delete(users).where(eq(users.id, userId));
    await recordAudit(tx, member.scope, { action: "user.removed", targetType: "user", targetId: userId, data: { email: member.email, role: member.role } });
    return { id: userId };
  });
}

/** A disabled user cannot sign in, and every session they have ends now. */
export async function disableUser(ctx: DomainContext, scope: Scope, input: { userId: string }) {
  const { userId } = parseInput(userIdInput, input);
  return inTransaction(ctx, async (tx) => {
    const member = await memberFor(tx, scope, userId);
    if (isActiveOwner(member)) await requireAnotherOwner(tx, member.orgId, userId);
    const now = new Date();
    await tx.db.update(users).set({ disabledAt: member.disabledAt ?? now, sessionsRevokedAt: now }).where(eq(users.id, userId));
    await recordAudit(tx, member.scope, { action: "user.disabled", targetType: "user", targetId: userId, data: { email: member.email } });
    return { id: userId };
  });
}

/** A new password; every session signed in with the old one ends. */
export async function setUserPassword(ctx: DomainContext, scope: Scope, input: { userId: string; password: string }) {
  const { userId, password } = parseInput(passwordInput, input);
  const passwordHash = await hashPassword(password);
  return inTransaction(ctx, async (tx) => {
    const member = await memberFor(tx, scope, userId);
    await tx.db.update(users).set({ passwordHash, sessionsRevokedAt: new Date() }).where(eq(users.id, userId));
    await recordAudit(tx, member.scope, { action: "user.password_set", targetType: "user", targetId: userId, data: { email: member.email } });
    return { id: userId };
  });
}
