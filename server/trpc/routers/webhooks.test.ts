import { randomBytes } from "node:crypto";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshDatabase } from "@/test-support/freshDatabase";
import { advanceSettled, tickSettled } from "@/test-support/jobClock";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { trpcError } from "@/test-support/trpc";
import { type Receiver, startReceiver } from "@/test-support/webhookReceiver";
import { domainContext } from "../../domain/context";
import { orgScope } from "../../domain/scope";
import { runWorkers, type Workers } from "../../jobs/workers";
import type { Services } from "../../services";
import { createUser } from "../../users/service";
import { createCallerFactory } from "../init";
import { appRouter } from "../root";

/**
 * The console's webhooks procedures over the real job system and a real
 * https receiver: an admin creates an endpoint (the secret once), sends it a
 * test event, reads its deliveries and their tries, resends, disables,
 * rotates and deletes; members only read; another organization or the other
 * mode finds nothing. A database of this file's own (the workers' sweeps act
 * on every row) and a test clock, so "the next try in 5 seconds" is a tick.
 */
const clock = new TestClock(Date.now());
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let services: Services;
let workers: Workers;
let receiver: Receiver;
let tenant: Tenant;
let stranger: Tenant;
let strangerAdmin: string;
const people: Record<"owner" | "admin" | "member", string> = { owner: "", admin: "", member: "" };
const caller = (userId: string | null) => createCallerFactory(appRouter)({ services, userId, requestId: "req_webhooks_test", source: "in-process" });
const as = (who: keyof typeof people) => caller(people[who]).webhooks;

async function addUser(orgId: string, role: "owner" | "admin" | "member") {
  const email = `${role}-${randomBytes(4).toString("hex")}@example.com`;
  return (await createUser(domainContext(services), orgScope(orgId, { type: "system" }), { email, password: "correct horse battery", role })).id;
}

beforeAll(async () => {
  fresh = await freshDatabase();
  services = await startTestServices({ env: { DATABASE_URL: fresh.url, LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" }, clock });
  workers = await runWorkers(services.jobs, domainContext(services));
  receiver = await startReceiver();
  tenant = await seedTenant(services);
  for (const role of ["owner", "admin", "member"] as const) people[role] = await addUser(tenant.orgId, role);
  stranger = await seedTenant(services);
  strangerAdmin = await addUser(stranger.orgId, "admin");
}, 120_000);
afterAll(async () => {
  await services?.close();
  await receiver?.close();
  await fresh?.drop();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.respond(200);
});

const advance = (ms: number) => advanceSettled(clock, workers, ms);
const tick = () => tickSettled(clock, workers);

const create = (events?: ("social_account.connected" | "oauth_attempt.failed")[]) =>
  as("admin").create({ mode: "test", projectId: tenant.projectId, url: receiver.url, events, description: "Staging receiver" });

/**
 * Ticks the clock a second at a time until `done` holds (at most 30 ticks),
 * letting the workers finish between ticks. A fixed number of ticks was not
 * enough under load: a tick starts the queue's poll, whose fetch may not
 * have returned when `settled()` looks, so the send ran during the next test.
 * It stops at the first tick after which `done` holds, so a retry scheduled
 * by that try is not reached.
 */
async function advanceUntil(done: () => Promise<boolean> | boolean) {
  for (let ticks = 0; !(await done()); ticks++) {
    if (ticks === 30) throw new Error("the workers did not get to the delivery within 30 ticks of the clock");
    await tick();
  }
}

const deliveriesOf = (endpointId: string) => as("member").deliveries({ mode: "test", endpointId });

/** Sends a test event and lets the workers try it; answers the deliveries list after. */
async function sendTest(id: string) {
  const { eventId } = await as("admin").sendTest({ mode: "test", id });
  await advanceUntil(async () => (await deliveriesOf(id)).items.every((d) => d.attempts > 0));
  return { eventId, deliveries: await deliveriesOf(id) };
}

describe("creating an endpoint", () => {
  it("answers the secret once; the list shows the endpoint with its project, never the secret", async () => {
    const created = await create();
    expect(created).toMatchObject({ id: expect.stringMatching(/^we_/), url: receiver.url, status: "enabled", description: "Staging receiver", secret: expect.stringMatching(/^whsec_/) });
    // None named: every type, including those added later.
    expect(created.events).toContain("social_account.connected");

    const listed = await as("member").list({ mode: "test" });
    expect(listed.find((e) => e.id === created.id)).toMatchObject({ projectId: tenant.projectId, projectName: "Test project", status: "enabled", disabledReason: null, failingSince: null, secretRotatedUntil: null });
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
    expect(await as("member").list({ mode: "test", projectId: stranger.projectId })).toEqual([]);
  });

  it("keeps only the event types asked for", async () => {
    const { id } = await create(["oauth_attempt.failed"]);
    expect((await as("admin").list({ mode: "test" })).find((e) => e.id === id)?.events).toEqual(["oauth_attempt.failed"]);
  });

  it("refuses bad input: a URL that is not one, an unknown event type, a malformed id, a NUL character", async () => {
    const input = { mode: "test" as const, projectId: tenant.projectId, url: receiver.url };
    const badUrl = await trpcError(() => as("admin").create({ ...input, url: "hooks.example.com/layers" }));
    expect(badUrl.code).toBe("BAD_REQUEST");
    expect(badUrl.cause).toMatchObject({ extra: { issues: [expect.objectContaining({ path: "url" })] } });
    // @ts-expect-error: not an event type
    expect((await trpcError(() => as("admin").create({ ...input, events: ["account.created"] }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("admin").create({ ...input, events: [] }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("admin").create({ ...input, description: "x".repeat(201) }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("admin").create({ ...input, projectId: "prj_nope" }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("admin").create({ ...input, description: "a\u0000b" }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("member").deliveries({ mode: "test", endpointId: "we_nope" }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("member").delivery({ mode: "test", id: "not-a-delivery" }))).code).toBe("BAD_REQUEST");
    // @ts-expect-error: the mode is required
    expect((await trpcError(() => as("member").list({}))).code).toBe("BAD_REQUEST");
  });

  it("cannot create for another organization's project", async () => {
    expect((await trpcError(() => as("admin").create({ mode: "test", projectId: stranger.projectId, url: receiver.url }))).code).toBe("NOT_FOUND");
  });
});

describe("deliveries", () => {
  it("a test event reaches the receiver; its delivery lists the try and the exact body sent", async () => {
    const { id } = await create();
    const { eventId, deliveries } = await sendTest(id);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.headers["webhook-id"]).toBe(eventId);
    expect(deliveries.endpoint).toMatchObject({ id, status: "enabled" });
    expect(deliveries.items).toMatchObject([{ eventId, type: "webhook.test", status: "succeeded", attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null }]);

    const delivery = await as("member").delivery({ mode: "test", id: deliveries.items[0]!.id });
    expect(delivery).toMatchObject({ endpointId: id, status: "succeeded", event: { id: eventId, type: "webhook.test" } });
    expect(delivery.event.body).toBe(got!.body);
    expect(JSON.parse(delivery.event.body)).toMatchObject({ type: "webhook.test", data: { endpointId: id } });
    expect(delivery.attempts).toMatchObject([{ number: 1, statusCode: 200, error: null, nextRetryAt: null }]);
    expect(delivery.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("a failed try says when the next is due, and the retry is listed beside it", async () => {
    const { id } = await create();
    receiver.answer(500);
    const { deliveries } = await sendTest(id);
    const [pending] = deliveries.items;
    expect(pending).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    const due = Date.parse(pending!.nextAttemptAt!) - clock.now();
    expect(due).toBeGreaterThan(0);
    expect(due).toBeLessThanOrEqual(6_000);
    expect((await as("member").delivery({ mode: "test", id: pending!.id })).attempts).toMatchObject([{ number: 1, statusCode: 500, nextRetryAt: pending!.nextAttemptAt }]);

    await advance(10_000);
    await advanceUntil(async () => (await as("member").delivery({ mode: "test", id: pending!.id })).status !== "pending");
    const retried = await as("member").delivery({ mode: "test", id: pending!.id });
    expect(retried).toMatchObject({ status: "succeeded", nextAttemptAt: null });
    expect(retried.attempts.map((t) => t.statusCode)).toEqual([500, 200]);
  });

  it("resend sends the same event again as a new delivery, listed first", async () => {
    const { id } = await create();
    const { eventId, deliveries } = await sendTest(id);
    const first = deliveries.items[0]!.id;
    const { id: again } = await as("admin").resend({ mode: "test", deliveryId: first });
    await advanceUntil(() => receiver.received.length >= 2);
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId]);
    const listed = await as("member").deliveries({ mode: "test", endpointId: id });
    expect(listed.items.map((d) => [d.id, d.eventId, d.status])).toEqual([
      [again, eventId, "succeeded"],
      [first, eventId, "succeeded"],
    ]);
  });

  it("pages a long history, newest first", async () => {
    const { id } = await create();
    for (let i = 0; i < 51; i++) await as("admin").sendTest({ mode: "test", id });
    // All sent before the next test, whose receiver counts would otherwise catch the stragglers.
    for (let tick = 0; tick < 20 && receiver.received.length < 51; tick++) await advance(1_000);
    expect(receiver.received).toHaveLength(51);
    const first = await as("member").deliveries({ mode: "test", endpointId: id });
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const second = await as("member").deliveries({ mode: "test", endpointId: id, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [expect.anything()], nextCursor: null });
    const ids = [...first.items, ...second.items].map((d) => d.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });
});

describe("changing an endpoint", () => {
  it("disabled, it is said to be by an admin and takes no test event or resend; enabled again, it does", async () => {
    const { id } = await create();
    const { deliveries } = await sendTest(id);
    expect(await as("admin").setEnabled({ mode: "test", id, enabled: false })).toMatchObject({ id, status: "disabled", disabledReason: "manual" });
    expect((await as("member").list({ mode: "test" })).find((e) => e.id === id)).toMatchObject({ status: "disabled", disabledReason: "manual" });
    expect((await trpcError(() => as("admin").sendTest({ mode: "test", id }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(() => as("admin").resend({ mode: "test", deliveryId: deliveries.items[0]!.id }))).code).toBe("BAD_REQUEST");

    expect(await as("owner").setEnabled({ mode: "test", id, enabled: true })).toMatchObject({ status: "enabled", disabledReason: null });
    await sendTest(id);
    expect(receiver.received).toHaveLength(2);
  });

  it("a rotated secret is answered once; the old one keeps signing beside it for 24 hours", async () => {
    const { id, secret } = await create();
    const { secret: rotated } = await as("admin").rotateSecret({ mode: "test", id });
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    const listed = (await as("member").list({ mode: "test" })).find((e) => e.id === id)!;
    expect(Date.parse(listed.secretRotatedUntil!) - clock.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(JSON.stringify(listed)).not.toContain(rotated.slice(6));
    await sendTest(id);
    expect(receiver.received[0]!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
  });

  it("deleted, it and its deliveries are gone", async () => {
    const { id } = await create();
    const { deliveries } = await sendTest(id);
    expect(await as("admin").delete({ mode: "test", id })).toEqual({ id });
    expect((await as("member").list({ mode: "test" })).map((e) => e.id)).not.toContain(id);
    expect((await trpcError(() => as("member").deliveries({ mode: "test", endpointId: id }))).code).toBe("NOT_FOUND");
    expect((await trpcError(() => as("member").delivery({ mode: "test", id: deliveries.items[0]!.id }))).code).toBe("NOT_FOUND");
    expect((await trpcError(() => as("admin").delete({ mode: "test", id }))).code).toBe("NOT_FOUND");
  });
});

describe("who may do what", () => {
  it("a member reads everything and is refused every change; signed out, nothing at all", async () => {
    const { id } = await create();
    const { deliveries } = await sendTest(id);
    const deliveryId = deliveries.items[0]!.id;
    const changes = (c: ReturnType<typeof as>) => [
      () => c.create({ mode: "test", projectId: tenant.projectId, url: receiver.url }),
      () => c.sendTest({ mode: "test", id }),
      () => c.resend({ mode: "test", deliveryId }),
      () => c.setEnabled({ mode: "test", id, enabled: false }),
      () => c.rotateSecret({ mode: "test", id }),
      () => c.delete({ mode: "test", id }),
    ];
    for (const change of changes(as("member"))) expect((await trpcError(change)).code).toBe("FORBIDDEN");
    for (const change of changes(caller(null).webhooks)) expect((await trpcError(change)).code).toBe("UNAUTHORIZED");
    expect((await trpcError(() => caller(null).webhooks.list({ mode: "test" }))).code).toBe("UNAUTHORIZED");
    // Nothing changed: still enabled, one delivery, the receiver got only the first event.
    expect((await as("member").list({ mode: "test" })).find((e) => e.id === id)).toMatchObject({ status: "enabled", secretRotatedUntil: null });
    expect((await as("member").deliveries({ mode: "test", endpointId: id })).items).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("another organization, or the other mode, finds nothing", async () => {
    const { id } = await create();
    const { deliveries } = await sendTest(id);
    const deliveryId = deliveries.items[0]!.id;
    for (const [c, mode] of [
      [caller(strangerAdmin).webhooks, "test"],
      [as("admin"), "live"],
    ] as const) {
      expect((await c.list({ mode })).map((e) => e.id)).not.toContain(id);
      for (const call of [
        () => c.deliveries({ mode, endpointId: id }),
        () => c.delivery({ mode, id: deliveryId }),
        () => c.sendTest({ mode, id }),
        () => c.resend({ mode, deliveryId }),
        () => c.setEnabled({ mode, id, enabled: false }),
        () => c.rotateSecret({ mode, id }),
        () => c.delete({ mode, id }),
      ]) {
        expect((await trpcError(call)).code).toBe("NOT_FOUND");
      }
    }
    expect((await as("member").list({ mode: "test" })).find((e) => e.id === id)).toMatchObject({ status: "enabled", secretRotatedUntil: null });
  });
});
