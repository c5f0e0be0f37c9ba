import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { auditEvents, memberships, users } from "@/db/schema";
import { setupFirstOwner } from "../orgs/setup";
import type { Services } from "../services";
import { seedTenant, startTestServices } from "@/test-support/harness";
import { createUser } from "../users/service";
import { domainContext } from "../domain/context";
import { orgScope } from "../domain/scope";
import { authenticateUser } from "./signIn";

let services: Services;
const password = "correct horse battery";

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(() => services.close());

// Client addresses unique to this run: with REDIS_URL the throttle counters outlive the test process.
const RUN = Math.random().toString(16).slice(2, 8);
const ip = (host: string | number) => `2001:db8:${RUN}::${host}`;

const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;

describe("console sign-in", () => {
  it("accepts the right password, case-insensitively on the email, and records the sign-in", async () => {
    const tenant = await seedTenant(services);
    const email = unique("signin");
    const { id } = await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password, role: "admin" });
    const result = await authenticateUser(services, { email: email.toUpperCase(), password, ip: ip(1) });
    expect(result).toEqual({ ok: true, user: { id, email, name: null } });
    const events = await services.database.db.select().from(auditEvents).where(eq(auditEvents.actorId, id));
    expect(events.map((e) => e.action)).toContain("user.signed_in");
    const [row] = await services.database.db.select().from(users).where(eq(users.id, id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const tenant = await seedTenant(services);
    const email = unique("wrong");
    await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password, role: "member" });
    expect(await authenticateUser(services, { email, password: "wrong password!!", ip: ip(2) })).toEqual({ ok: false, reason: "invalid" });
    expect(await authenticateUser(services, { email: unique("nobody"), password, ip: ip(2) })).toEqual({ ok: false, reason: "invalid" });
    expect(await authenticateUser(services, { email: "not an email", password, ip: ip(2) })).toEqual({ ok: false, reason: "invalid" });
  });

  it("throttles guesses per account, even from many addresses", async () => {
    const tenant = await seedTenant(services);
    const email = unique("target");
    await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password, role: "member" });
    const reasons = [];
    for (let i = 0; i < 6; i++) {
      const r = await authenticateUser(services, { email, password: "guess-guess-guess", ip: ip(100 + i) });
      reasons.push(r.ok ? "ok" : r.reason);
    }
    expect(reasons).toEqual(["invalid", "invalid", "invalid", "invalid", "invalid", "throttled"]);
    // Even the right password waits out the window.
    expect(await authenticateUser(services, { email, password, ip: ip(199) })).toEqual({ ok: false, reason: "throttled" });
  });

  it("throttles guesses per address, across accounts", async () => {
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await authenticateUser(services, { email: unique(`spray${i}`), password: "guess-guess-guess", ip: ip("spray") }));
    expect(results.at(-1)).toEqual({ ok: false, reason: "throttled" });
    expect(results.slice(0, 20).every((r) => !r.ok && r.reason === "invalid")).toBe(true);
  });
});

describe("one-time setup", () => {
  it("creates the first organization and owner, then never again", async () => {
    // A database of its own: setup is about an instance with no users at all.
    const fresh = await openDatabase({ dataDir: "memory://" });
    try {
      await fresh.migrate();
      const created = await setupFirstOwner({ ...domainContext(services), db: fresh.db }, { orgName: "Acme", name: "Ada", email: unique("first"), password });
      expect(created.orgId).toMatch(/^org_/);
      const [owner] = await fresh.db.select().from(memberships).where(eq(memberships.userId, created.userId));
      expect(owner).toMatchObject({ orgId: created.orgId, role: "owner" });
      await expect(setupFirstOwner({ ...domainContext(services), db: fresh.db }, { orgName: "Again", email: unique("second"), password })).rejects.toMatchObject({
        code: "VALIDATION",
        message: /already done/,
      });
      await expect(setupFirstOwner({ ...domainContext(services), db: fresh.db }, { orgName: "", email: "nope", password: "short" })).rejects.toMatchObject({ code: "VALIDATION" });
    } finally {
      await fresh.close();
    }
  });
});
