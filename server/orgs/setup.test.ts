import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { memberships, organizations, users } from "@/db/schema";
import { seedAccount, startTestServices } from "@/test-support/harness";
import { openFreshPglite } from "@/test-support/pgliteTemplate";
import { setUpFromAddress, SETUP_BUDGET } from "../auth/setup";
import { setupCode } from "../auth/setupCode";
import { type DomainContext, domainContext } from "../domain/context";
import { createRedisRateLimiter } from "../ratelimit";
import type { Services } from "../services";
import { consoleBanner, seedDemo } from "../bootstrap";
import { operatorScope, orgScope } from "../domain/scope";
import { listProjects } from "../projects/service";
import { createOrganization } from "./service";
import { setupFirstOwner, setupTarget } from "./setup";

let services: Services;
let fresh: Database;
let ctx: DomainContext;
const password = "correct horse battery";
const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
const RUN = Math.random().toString(16).slice(2, 8);
let hosts = 0;
const newAddress = () => `2001:db8:5e7:${RUN}::${++hosts}`;

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(() => services.close());

// A database of its own per test: setup is about an instance with no users at all.
async function emptyInstance() {
  fresh = await openFreshPglite();
  ctx = { ...domainContext(services), db: fresh.db };
  return { ...services, database: fresh };
}

describe("one-time setup", () => {
  it("needs the printed setup code; then creates the first organization and owner, and never again", async () => {
    await emptyInstance();
    try {
      const code = setupCode(services.config.authSecret);
      const input = { orgName: "Acme", name: "Ada", email: unique("first"), password };
      for (const wrong of [undefined, "", "AAAA-AAAA-AAAA-AAAA", setupCode("another secret")]) {
        await expect(setupFirstOwner(ctx, { ...input, setupCode: wrong as string })).rejects.toMatchObject({ code: "VALIDATION", extra: { issues: [{ path: "setupCode" }] } });
      }
      // Without the code nothing else is judged: the bad fields are not named.
      await expect(setupFirstOwner(ctx, { setupCode: "nope", orgName: "", email: "x", password: "y" })).rejects.toMatchObject({ extra: { issues: [{ path: "setupCode" }] } });
      expect(await fresh.db.select().from(users)).toEqual([]);

      const created = await setupFirstOwner(ctx, { ...input, setupCode: code.toLowerCase() });
      expect(created.orgId).toMatch(/^org_/);
      const [owner] = await fresh.db.select().from(memberships).where(eq(memberships.userId, created.userId));
      expect(owner).toMatchObject({ orgId: created.orgId, role: "owner" });
      await expect(setupFirstOwner(ctx, { setupCode: code, orgName: "Again", email: unique("second"), password })).rejects.toMatchObject({ code: "VALIDATION", message: /already done/ });
      await expect(setupFirstOwner(ctx, { setupCode: code, orgName: "", email: "nope", password: "short" })).rejects.toMatchObject({ code: "VALIDATION" });
    } finally {
      await fresh.close();
    }
  });

  it(`wrong codes are throttled per address (${SETUP_BUDGET.text}); other failures are not charged; a dead store refuses`, { timeout: 15_000 }, async () => {
    const instance = await emptyInstance();
    try {
      const code = setupCode(services.config.authSecret);
      const from = newAddress();
      const input = { orgName: "Acme", name: "", email: unique("t"), password };
      for (let i = 0; i < 3; i++) await expect(setUpFromAddress(instance, from, { ...input, setupCode: code, email: "not an email" })).rejects.toMatchObject({ code: "VALIDATION" });
      for (let i = 0; i < SETUP_BUDGET.tokens; i++) await expect(setUpFromAddress(instance, from, { ...input, setupCode: "wrong" })).rejects.toMatchObject({ extra: { issues: [{ path: "setupCode" }] } });
      // Past the budget even the right code waits; another address does not.
      expect(await setUpFromAddress(instance, from, { ...input, setupCode: code })).toEqual({ ok: false, reason: "throttled" });
      const down = await createRedisRateLimiter("redis://127.0.0.1:1", `test:${RUN}:setup-down`);
      try {
        expect(await setUpFromAddress({ ...instance, limiter: down }, newAddress(), { ...input, setupCode: code })).toEqual({ ok: false, reason: "unavailable" });
      } finally {
        await down.close();
      }
      expect(await setUpFromAddress(instance, newAddress(), { ...input, setupCode: code })).toEqual({ ok: true, email: input.email });
    } finally {
      await fresh.close();
    }
  });
});

const code = () => setupCode(services.config.authSecret);
/** An empty instance served at localhost, as `npm start` runs it (the demo key's allowlist holds its /connect/return). */
async function localInstance() {
  const instance = await emptyInstance();
  return { ...instance, config: { ...instance.config, publicUrl: "http://localhost:3000" } };
}

describe("setup and the instance's organization", () => {
  it("makes the first owner the owner of the one organization nobody belongs to (the demo), renamed as asked", async () => {
    const instance = await localInstance();
    try {
      const demo = await seedDemo(instance);
      expect(await setupTarget(fresh)).toEqual({ kind: "join", orgId: demo.orgId, name: "Demo organization" });
      const created = await setupFirstOwner(ctx, { setupCode: code(), orgName: "Acme", name: "", email: unique("owner"), password });
      expect(created).toMatchObject({ orgId: demo.orgId, joined: true });
      const [org] = await fresh.db.select().from(organizations);
      expect(org).toMatchObject({ id: demo.orgId, name: "Acme" });
      // The owner's console lists the demo's project, with its accounts counted.
      await seedAccount({ ...instance, database: fresh }, { orgId: demo.orgId, projectId: demo.projectId });
      expect((await listProjects(ctx, orgScope(created.orgId, { type: "user", id: created.userId }))).map((p) => [p.id, p.accountCount])).toEqual([[demo.projectId, 1]]);
    } finally {
      await fresh.close();
    }
  });

  it("creates a new organization when there are several, or the only one already has a member", async () => {
    const instance = await localInstance();
    try {
      await seedDemo(instance);
      await createOrganization(ctx, operatorScope({ type: "cli" }), { name: "Second" });
      expect(await setupTarget(fresh)).toEqual({ kind: "new" });
      const created = await setupFirstOwner(ctx, { setupCode: code(), orgName: "Acme", name: "", email: unique("owner"), password });
      expect(created.joined).toBe(false);
      expect((await fresh.db.select().from(organizations)).map((o) => o.name).sort()).toEqual(["Acme", "Demo organization", "Second"]);
    } finally {
      await fresh.close();
    }
  });
});

describe("the start banner", () => {
  it("names the organization and project ids and where the keys are on every start, and the setup that joins the demo", async () => {
    const instance = await localInstance();
    try {
      const demo = await seedDemo(instance);
      const first = await consoleBanner(instance);
      expect(first).toContain(`Organization ${demo.orgId} (Demo organization): ${demo.projectId} (Demo project)`);
      expect(first).toContain(`npx ladmin keys list --org ${demo.orgId}`);
      expect(first).toContain(`/console/setup to become the owner of ${demo.orgId} (Demo organization)`);
      expect(first).toContain(`npx ladmin users create --org ${demo.orgId} --email`);
      expect(first).not.toContain("org_...");
      expect(first).not.toContain(demo.key);

      await setupFirstOwner(ctx, { setupCode: code(), orgName: "Acme", name: "", email: unique("owner"), password });
      const later = await consoleBanner(instance);
      expect(later).toContain(`Organization ${demo.orgId} (Acme): ${demo.projectId} (Demo project)`);
      expect(later).toContain(`users create --org ${demo.orgId} --email you@example.com --role admin`);
      expect(later).not.toContain("Setup code");
    } finally {
      await fresh.close();
    }
  });
});

