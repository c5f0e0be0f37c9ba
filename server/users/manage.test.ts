import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, memberships, users } from "@/db/schema";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { isSessionValid } from "../auth/revocation";
import { authenticateUser } from "../auth/signIn";
import { domainContext } from "../domain/context";
import { memberScope, operatorScope, orgScope } from "../domain/scope";
import type { Services } from "../services";
import { disableUser, removeMember, setMemberRole, setUserPassword } from "./manage";
import { createUser, listMembers } from "./service";

let services: Services;
const password = "correct horse battery";
const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
const RUN = Math.random().toString(16).slice(2, 8);
let hosts = 0;
const newAddress = () => `2001:db8:3a:${RUN}::${++hosts}`;
const ctx = () => domainContext(services);

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(() => services.close());

async function orgWith(...roles: ("owner" | "admin" | "member")[]) {
  const tenant = await seedTenant(services);
  const people = [];
  for (const role of roles) {
    const email = unique(role);
    people.push({ ...(await createUser(ctx(), orgScope(tenant.orgId, { type: "system" }), { email, password, role })), email });
  }
  return { tenant, people, as: (userId: string) => memberScope(tenant.orgId, userId) };
}

const roleOf = async (tenant: Tenant, userId: string) =>
  (await services.database.db.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, userId)))[0]?.role;

describe("roles", () => {
  it("an owner changes roles; the last enabled owner cannot be demoted", async () => {
    const { tenant, people, as } = await orgWith("owner", "member");
    const [owner, member] = people as [(typeof people)[0], (typeof people)[0]];
    await expect(setMemberRole(ctx(), as(owner.id), { userId: owner.id, role: "admin" })).rejects.toMatchObject({ code: "VALIDATION", message: /needs an owner/ });
    expect(await setMemberRole(ctx(), as(owner.id), { userId: member.id, role: "owner" })).toEqual({ id: member.id, role: "owner" });
    // Two owners now: either may step down, but not both.
    await setMemberRole(ctx(), as(owner.id), { userId: owner.id, role: "member" });
    await expect(setMemberRole(ctx(), as(member.id), { userId: member.id, role: "admin" })).rejects.toMatchObject({ message: /needs an owner/ });
    expect(await roleOf(tenant, owner.id)).toBe("member");
    expect(await roleOf(tenant, member.id)).toBe("owner");
    const events = await services.database.db.select().from(auditEvents).where(eq(auditEvents.orgId, tenant.orgId));
    expect(events.filter((e) => e.action === "user.role_changed")).toHaveLength(2);
  });

  it("two owners demoting each other at once leave one owner", async () => {
    const { tenant, people, as } = await orgWith("owner", "owner");
    const [a, b] = people as [(typeof people)[0], (typeof people)[0]];
    const results = await Promise.allSettled([setMemberRole(ctx(), as(a.id), { userId: b.id, role: "admin" }), setMemberRole(ctx(), as(b.id), { userId: a.id, role: "admin" })]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const roles = [await roleOf(tenant, a.id), await roleOf(tenant, b.id)];
    expect(roles.filter((r) => r === "owner")).toHaveLength(1);
  });

  it("a user of another organization is NOT_FOUND, and nothing changes there", async () => {
    const mine = await orgWith("owner");
    const theirs = await orgWith("owner", "member");
    const [stranger] = theirs.people.slice(1);
    await expect(setMemberRole(ctx(), mine.as(mine.people[0]!.id), { userId: stranger!.id, role: "owner" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(removeMember(ctx(), mine.as(mine.people[0]!.id), { userId: stranger!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await roleOf(theirs.tenant, stranger!.id)).toBe("member");
  });
});

describe("removal", () => {
  it("removes the user with their sessions; the last owner stays", async () => {
    const { tenant, people, as } = await orgWith("owner", "admin");
    const [owner, admin] = people as [(typeof people)[0], (typeof people)[0]];
    const signedInAt = Date.now() - 1000;
    expect(await isSessionValid(services.database.db, admin.id, signedInAt)).toBe(true);
    expect(await removeMember(ctx(), as(owner.id), { userId: admin.id })).toEqual({ id: admin.id });
    expect(await isSessionValid(services.database.db, admin.id, signedInAt)).toBe(false);
    expect((await listMembers(ctx(), orgScope(tenant.orgId, { type: "system" }))).map((m) => m.id)).toEqual([owner.id]);
    // The email is free again.
    await createUser(ctx(), orgScope(tenant.orgId, { type: "system" }), { email: admin.email, password, role: "member" });
    await expect(removeMember(ctx(), as(owner.id), { userId: owner.id })).rejects.toMatchObject({ message: /needs an owner/ });
  });
});

describe("disable and password", () => {
  it("disabling ends the sessions and sign-in; the last enabled owner cannot be disabled", async () => {
    const { tenant, people } = await orgWith("owner", "member");
    const [owner, member] = people as [(typeof people)[0], (typeof people)[0]];
    const signedInAt = Date.now() - 1000;
    expect(await disableUser(ctx(), operatorScope(), { userId: member.id })).toEqual({ id: member.id });
    expect(await isSessionValid(services.database.db, member.id, signedInAt)).toBe(false);
    expect(await authenticateUser(services, { email: member.email, password, address: newAddress() })).toEqual({ ok: false, reason: "disabled" });
    expect((await listMembers(ctx(), orgScope(tenant.orgId, { type: "system" }))).find((m) => m.id === member.id)?.disabledAt).toEqual(expect.any(String));
    await expect(disableUser(ctx(), operatorScope(), { userId: owner.id })).rejects.toMatchObject({ message: /needs an owner/ });
    // The operator's change is audited in the user's organization.
    const events = await services.database.db.select().from(auditEvents).where(eq(auditEvents.orgId, tenant.orgId));
    expect(events.find((e) => e.action === "user.disabled")).toMatchObject({ actorType: "cli", targetId: member.id });
  });

  it("a new password ends the sessions signed in with the old one; the old password stops working", async () => {
    const { people } = await orgWith("owner");
    const [owner] = people as [(typeof people)[0]];
    const signedInAt = Date.now() - 1000;
    await expect(setUserPassword(ctx(), operatorScope(), { userId: owner.id, password: "short" })).rejects.toMatchObject({ code: "VALIDATION" });
    await setUserPassword(ctx(), operatorScope(), { userId: owner.id, password: "a brand new long password" });
    expect(await isSessionValid(services.database.db, owner.id, signedInAt)).toBe(false);
    expect(await authenticateUser(services, { email: owner.email, password, address: newAddress() })).toEqual({ ok: false, reason: "invalid" });
    expect((await authenticateUser(services, { email: owner.email, password: "a brand new long password", address: newAddress() })).ok).toBe(true);
    const [row] = await services.database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, owner.id));
    expect(row!.hash).toMatch(/^\$argon2id\$/);
  });

  it("an unknown or malformed user id is NOT_FOUND or VALIDATION", async () => {
    await expect(disableUser(ctx(), operatorScope(), { userId: "usr_01HXZ8K2M4P5QRS6TV7WXYZ9AB" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(disableUser(ctx(), operatorScope(), { userId: "usr_\u0000" })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});

describe("adding an email that is already in use", () => {
  it("answers the same whichever organization holds it, naming none of it", async () => {
    const mine = await orgWith("owner", "member");
    const theirs = await orgWith("owner");
    const scope = orgScope(mine.tenant.orgId, { type: "user", id: mine.people[0]!.id });
    const refusal = async (email: string) => {
      const error = (await createUser(ctx(), scope, { email, password, role: "member" }).catch((e: unknown) => e)) as { code: string; message: string; extra: unknown };
      return { code: error.code, message: error.message, extra: error.extra };
    };
    const ours = await refusal(mine.people[1]!.email);
    const other = await refusal(theirs.people[0]!.email.toUpperCase());
    expect(other).toEqual(ours);
    expect(other.code).toBe("VALIDATION");
    const text = JSON.stringify(other);
    for (const secret of [theirs.tenant.orgId, theirs.people[0]!.id, theirs.people[0]!.email, "owner", "organization "]) expect(text).not.toContain(secret);
    const theirEvents = await services.database.db.select().from(auditEvents).where(eq(auditEvents.orgId, theirs.tenant.orgId));
    expect(theirEvents.some((e) => e.actorId === mine.people[0]!.id)).toBe(false);
  });
});
