import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialAccounts } from "@/db/schema";
import { seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { trpcError } from "@/test-support/trpc";
import { domainContext } from "../../domain/context";
import { orgScope } from "../../domain/scope";
import { nextSweepSlot } from "../../jobs/status";
import { QUEUES } from "../../jobs/queues";
import { createJobSystem, type JobSystem } from "../../jobs/system";
import type { Services } from "../../services";
import { createUser } from "../../users/service";
import { createCallerFactory } from "../init";
import { appRouter } from "../root";

/**
 * operations.status: the job system as the operations page shows it. The
 * job tables live in a schema of this file's own, since test files may share
 * one PostgreSQL database (DATABASE_URL) and each may start pg-boss.
 */
let services: Services;
let tenant: Tenant;
let worker: JobSystem | undefined;
const schema = `pgboss_${randomBytes(4).toString("hex")}`;
const people: Record<"owner" | "admin" | "member", string> = { owner: "", admin: "", member: "" };
const caller = (userId: string | null) => createCallerFactory(appRouter)({ services, userId, requestId: "req_operations_test", source: "in-process" });

beforeAll(async () => {
  const base = await startTestServices();
  // The same services, with the job system in this file's schema.
  services = { ...base, jobs: createJobSystem(base.database, base.config.databaseUrl, { clock: base.clock, schema }) };
  tenant = await seedTenant(services);
  for (const role of ["owner", "admin", "member"] as const) {
    const email = `${role}-${randomBytes(4).toString("hex")}@example.com`;
    people[role] = (await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password: "correct horse battery", role })).id;
  }
});
afterAll(async () => {
  await worker?.stop();
  await services?.jobs.stop();
  await services?.database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await services?.close();
});

describe("operations.status", () => {
  it("is refused to a member and when signed out", async () => {
    expect((await trpcError(() => caller(people.member).operations.status({ mode: "test" }))).code).toBe("FORBIDDEN");
    expect((await trpcError(() => caller(null).operations.status({ mode: "test" }))).code).toBe("UNAUTHORIZED");
  });

  it("counts each queue's jobs once the job system is started", async () => {
    const boss = await services.jobs.start({ work: false });
    await boss.send(QUEUES.accountRefresh.name, { accountId: "sa_queued" }, { singletonKey: "sa_queued" });
    await boss.send(QUEUES.accountRefresh.name, { accountId: "sa_later" }, { singletonKey: "sa_later", startAfter: 3_600 });

    const status = await caller(people.admin).operations.status({ mode: "test" });
    expect(status.queues.map((q) => q.name)).toEqual(Object.values(QUEUES).map((q) => q.name));
    // pg-boss counts a deferred job among the queued ones too.
    expect(status.queues.find((q) => q.name === QUEUES.accountRefresh.name)).toMatchObject({ queued: 2, deferred: 1, active: 0, failed: 0 });
    expect(status.queues.find((q) => q.name === QUEUES.refreshSweep.name)).toMatchObject({ queued: 0, deferred: 0, active: 0, failed: 0 });
    expect(status.sweep.intervalMs).toBe(services.config.refreshSweepMs);
  });

  it("warns, with no time promised for the next sweep, while no live process runs workers", async () => {
    const status = await caller(people.owner).operations.status({ mode: "test" });
    // This process started the job system without workers: it is registered, but works nothing.
    expect(status.processes.find((p) => p.pid === process.pid)).toMatchObject({ name: "web", runsWorkers: false });
    expect(status.workersLive).toBe(false);
    expect(status.sweep.nextDueAt).toBeNull();
  });

  it("lists a process that works the queues as a live worker, and says when the next sweep is due", async () => {
    worker = createJobSystem(services.database, services.config.databaseUrl, { clock: services.clock, schema });
    await worker.start({ work: true });
    const before = Date.now();
    const status = await caller(people.admin).operations.status({ mode: "test" });
    expect(status.workersLive).toBe(true);
    const listed = status.processes.find((p) => p.name === "worker");
    expect(listed).toMatchObject({ pid: process.pid, runsWorkers: true });
    expect(Date.parse(listed!.lastHeartbeatAt)).toBeGreaterThan(before - 60_000);
    const due = Date.parse(status.sweep.nextDueAt!);
    expect(due).toBeGreaterThan(before);
    expect(due).toBeLessThanOrEqual(Date.now() + services.config.refreshSweepMs);
  });

  it("counts the organization's accounts due for refresh and needing the end-customer, in the mode asked", async () => {
    const [due, waiting, lost, live] = [await seedAccount(services, tenant), await seedAccount(services, tenant), await seedAccount(services, tenant), await seedAccount(services, tenant, { mode: "live" })];
    const { db } = services.database;
    await db.update(socialAccounts).set({ refreshAfter: new Date(Date.now() - 60_000) }).where(eq(socialAccounts.id, due.id));
    await db.update(socialAccounts).set({ refreshAfter: new Date(Date.now() + 3_600_000) }).where(eq(socialAccounts.id, waiting.id));
    await db.update(socialAccounts).set({ status: "needs_reauth", reauthReason: "token_revoked", refreshAfter: null }).where(eq(socialAccounts.id, lost.id));
    await db.update(socialAccounts).set({ status: "needs_reauth", reauthReason: "token_revoked", refreshAfter: null }).where(eq(socialAccounts.id, live.id));
    // Another organization's accounts are not counted.
    const other = await seedTenant(services);
    const stranger = await seedAccount(services, other);
    await db.update(socialAccounts).set({ refreshAfter: new Date(Date.now() - 60_000) }).where(eq(socialAccounts.id, stranger.id));

    expect((await caller(people.admin).operations.status({ mode: "test" })).accounts).toEqual({ dueForRefresh: 1, needsReauth: 1 });
    expect((await caller(people.admin).operations.status({ mode: "live" })).accounts).toEqual({ dueForRefresh: 0, needsReauth: 1 });
  });
});

describe("nextSweepSlot", () => {
  it("is the start of the next interval slot counted from the epoch, in whole seconds", () => {
    expect(nextSweepSlot(300_000, 600_000)).toBe(900_000);
    expect(nextSweepSlot(300_000, 899_999)).toBe(900_000);
    expect(nextSweepSlot(2_000, 5_500)).toBe(6_000);
    expect(nextSweepSlot(400, 5_500)).toBe(6_000);
  });
});
