import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { isSessionValid } from "../../auth/revocation";
import { domainContext } from "../../domain/context";
import { orgScope } from "../../domain/scope";
import type { Services } from "../../services";
import { createUser } from "../../users/service";
import { createCallerFactory } from "../init";
import { appRouter } from "../root";

let services: Services;
let tenant: Tenant;
const people: Record<"owner" | "admin" | "member", string> = { owner: "", admin: "", member: "" };
const caller = (userId: string | null) => createCallerFactory(appRouter)({ services, userId, requestId: "req_members_test", source: "in-process" });
const password = "correct horse battery";
const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;

async function addUser(role: "owner" | "admin" | "member", orgId = tenant.orgId) {
  return (await createUser(domainContext(services), orgScope(orgId, { type: "system" }), { email: unique(role), password, role })).id;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services);
  for (const role of ["owner", "admin", "member"] as const) people[role] = await addUser(role);
});
afterAll(() => services.close());

const OWNER_ONLY: Record<string, (c: ReturnType<typeof caller>) => Promise<unknown>> = {
  "members.setRole": async (c) => c.members.setRole({ userId: await addUser("member"), role: "admin" }),
  "members.remove": async (c) => c.members.remove({ userId: await addUser("member") }),
};

describe.each(Object.keys(OWNER_ONLY))("%s", (name) => {
  const run = OWNER_ONLY[name]!;
  it("is refused to a member", async () => expect(await codeOf(run(caller(people.member)))).toBe("FORBIDDEN"));
  it("is refused to an admin", async () => expect(await codeOf(run(caller(people.admin)))).toBe("FORBIDDEN"));
  it("is refused when signed out", async () => expect(await codeOf(run(caller(null)))).toBe("UNAUTHORIZED"));
  it("is allowed to an owner", async () => expect(await codeOf(run(caller(people.owner)))).toBe("OK"));
});

describe("members procedures", () => {
  it("list shows roles and who is disabled", async () => {
    const members = await caller(people.member).members.list();
    expect(members.find((m) => m.id === people.admin)).toMatchObject({ role: "admin", disabledAt: null });
  });

  it("an owner cannot demote or remove the last owner, themselves included", async () => {
    const other = await seedTenant(services);
    const onlyOwner = await addUser("owner", other.orgId);
    const error = await caller(onlyOwner).members.setRole({ userId: onlyOwner, role: "admin" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/needs an owner/) });
    expect(await codeOf(caller(onlyOwner).members.remove({ userId: onlyOwner }))).toBe("BAD_REQUEST");
  });

  it("removing a member ends their sessions at once", async () => {
    const id = await addUser("admin");
    const signedInAt = Date.now() - 1000;
    expect(await codeOf(caller(id).members.list())).toBe("OK");
    await caller(people.owner).members.remove({ userId: id });
    expect(await isSessionValid(services.database.db, id, signedInAt)).toBe(false);
    expect(await codeOf(caller(id).members.list())).toBe("FORBIDDEN");
  });

  it("another organization's user is NOT_FOUND; a malformed id is BAD_REQUEST", async () => {
    const other = await seedTenant(services);
    const stranger = await addUser("member", other.orgId);
    expect(await codeOf(caller(people.owner).members.setRole({ userId: stranger, role: "owner" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller(people.owner).members.remove({ userId: stranger }))).toBe("NOT_FOUND");
    expect(await codeOf(caller(people.owner).members.remove({ userId: "usr_nope" }))).toBe("BAD_REQUEST");
  });

  it("adding an email another organization holds answers as for one of ours, and names nothing of theirs", async () => {
    const other = await seedTenant(services);
    const theirEmail = unique("theirs");
    await createUser(domainContext(services), orgScope(other.orgId, { type: "system" }), { email: theirEmail, password, role: "owner" });
    const ourEmail = unique("ours");
    await caller(people.admin).members.add({ email: ourEmail, role: "member", password });
    const answer = async (email: string) => {
      const error = (await caller(people.admin).members.add({ email, role: "member", password }).catch((e: unknown) => e)) as TRPCError;
      return { code: error.code, message: error.message };
    };
    const theirs = await answer(theirEmail);
    expect(theirs).toEqual(await answer(ourEmail));
    expect(theirs.message).not.toContain(other.orgId);
  });
});
