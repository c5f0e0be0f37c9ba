import { eq } from "drizzle-orm";
import { TestClock } from "pg-boss";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import { disconnectSocialAccount } from "@/server/accounts/service";
import { type DomainContext, domainContext, inTransaction } from "@/server/domain/context";
import { modeScope, orgScope } from "@/server/domain/scope";
import { runWorkers, type Workers } from "@/server/jobs/workers";
import type { Services } from "@/server/services";
import { freshDatabase } from "@/test-support/freshDatabase";
import { advanceSettled } from "@/test-support/jobClock";
import { seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { type Receiver, startReceiver } from "@/test-support/webhookReceiver";
import { createWebhookEndpoint, rotateWebhookSecret, sendTestWebhook } from "./endpoints";
import { recordEvent } from "./events";
import { RETRY_DELAYS_MS } from "./schedule";

/**
 * Webhooks as the job system delivers them: a real https receiver, the real
 * queue on this run's database (its own, so no other file's events mix in),
 * Standard Webhooks signatures checked with the `standardwebhooks` verifier,
 * and time on a test clock, so "retried after 10 hours" is a tick.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const clock = new TestClock(Date.now());
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let services: Services;
let ctx: DomainContext;
let workers: Workers;
let receiver: Receiver;
let tenant: Tenant;

beforeAll(async () => {
  fresh = await freshDatabase();
  services = await startTestServices({ env: { DATABASE_URL: fresh.url, LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" }, clock });
  ctx = domainContext(services);
  workers = await runWorkers(services.jobs, ctx);
  receiver = await startReceiver();
  tenant = await seedTenant(services);
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
// Each test's endpoints leave with it (and their deliveries): an event goes to every endpoint of its project.
// Only this file's project's: other files run at the same time on the same database.
afterEach(async () => {
  await workers.settled();
  await services.database.db.delete(webhookEndpoints).where(eq(webhookEndpoints.projectId, tenant.projectId));
});

const advance = (ms: number) => advanceSettled(clock, workers, ms);

/**
 * The standardwebhooks verifier, run at the test clock's time: it refuses a
 * timestamp more than 5 minutes from its own "now", and the deliveries here
 * are sent at simulated times.
 */
function verify(secret: string, got: { body: string; headers: Record<string, string> }) {
  vi.useFakeTimers({ toFake: ["Date"], now: Number(got.headers["webhook-timestamp"]) * 1000 });
  try {
    return new Webhook(secret).verify(got.body, got.headers);
  } finally {
    vi.useRealTimers();
  }
}

const testScope = () => modeScope(orgScope(tenant.orgId, { type: "system" }), "test");

async function endpoint(url = receiver.url, mode: "test" | "live" = "test", events?: string[]) {
  return createWebhookEndpoint(ctx, modeScope(orgScope(tenant.orgId, { type: "system" }), mode), {
    projectId: tenant.projectId,
    readBody: async () => ({ url, ...(events && { events }) }),
  });
}

/** An event for the tenant's project, committed as a change would commit it. */
const event = (type: "social_account.disconnected" | "oauth_attempt.failed", livemode = false, data: Record<string, unknown> = { n: 1 }) =>
  inTransaction(ctx, (tx) => recordEvent(tx, { orgId: tenant.orgId, projectId: tenant.projectId, livemode }, type, data));

const deliveriesOf = (endpointId: string) => services.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

describe("delivery", () => {
  it("sends a disconnected account to the receiver, signed so the standardwebhooks verifier accepts it", async () => {
    const { id, secret } = await endpoint();
    const account = await seedAccount(services, tenant, { username: "leaving" });
    await disconnectSocialAccount(ctx, testScope(), account.id);
    await advance(1_000);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    const body = verify(secret, got!) as { type: string; timestamp: string; data: { id: string; status: string } };
    expect(body).toMatchObject({ type: "social_account.disconnected", data: { id: account.id, status: "disconnected" } });
    expect(got!.headers["webhook-id"]).toMatch(/^evt_/);
    expect(got!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(await deliveriesOf(id)).toMatchObject([{ status: "succeeded", attempts: 1, lastStatusCode: 200 }]);
  });

  it("signs with both secrets for 24 hours after a rotation, then with the new one alone", async () => {
    const { id, secret: old } = await endpoint();
    const { secret: rotated } = await rotateWebhookSecret(ctx, testScope(), id);
    await sendTestWebhook(ctx, testScope(), id);
    await advance(1_000);
    const during = receiver.received.at(-1)!;
    expect(during.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const secret of [old, rotated]) expect(verify(secret, during)).toMatchObject({ type: "webhook.test", data: { endpointId: id } });

    await advance(DAY);
    await sendTestWebhook(ctx, testScope(), id);
    await advance(1_000);
    const after = receiver.received.at(-1)!;
    expect(after.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(() => verify(rotated, after)).not.toThrow();
    expect(() => verify(old, after)).toThrow();
  });

  it("a test-mode event never reaches a live endpoint, nor an endpoint that does not take its type", async () => {
    const live = await endpoint(receiver.url, "live");
    const other = await endpoint(receiver.url, "test", ["oauth_attempt.failed"]);
    const wanted = await endpoint(receiver.url, "test", ["social_account.disconnected"]);
    await event("social_account.disconnected");
    await advance(1_000);
    expect(await deliveriesOf(live.id)).toEqual([]);
    expect(await deliveriesOf(other.id)).toEqual([]);
    expect(await deliveriesOf(wanted.id)).toHaveLength(1);
  });

  it("records every try with its status, latency and error; a redirect is not followed", async () => {
    const { id } = await endpoint();
    receiver.respond(302, { location: "https://elsewhere.example/" });
    await event("social_account.disconnected");
    await advance(1_000);
    const [delivery] = await deliveriesOf(id);
    const tries = await services.database.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery!.id));
    expect(tries).toMatchObject([{ number: 1, statusCode: 302, error: "redirect to https://elsewhere.example/ not followed" }]);
    expect(tries[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(tries[0]!.nextRetryAt!.getTime() - tries[0]!.attemptedAt.getTime()).toBeGreaterThanOrEqual(4_500);
    expect(receiver.received).toHaveLength(1);
  });
});

describe("retries", () => {
  it("follow the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with jitter), then the delivery has failed", async () => {
    const { id } = await endpoint();
    receiver.respond(500);
    await event("oauth_attempt.failed");
    await advance(1_000);
    for (const delay of RETRY_DELAYS_MS) await advance(delay * 1.1);
    const [delivery] = await deliveriesOf(id);
    expect(delivery).toMatchObject({ status: "failed", attempts: 8, nextAttemptAt: null });
    const tries = await services.database.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery!.id)).orderBy(webhookAttempts.number);
    const gaps = tries.slice(1).map((t, i) => t.attemptedAt.getTime() - tries[i]!.attemptedAt.getTime());
    gaps.forEach((gap, i) => {
      expect(gap, `before try ${i + 2}`).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i]! * 0.9);
      expect(gap, `before try ${i + 2}`).toBeLessThanOrEqual(RETRY_DELAYS_MS[i]! * 1.1 + 5_000);
    });
    expect(tries.at(-1)!.nextRetryAt).toBeNull();
  });

  it("a receiver down for an hour gets every event once it recovers, duplicates only under the same webhook-id", async () => {
    await endpoint();
    receiver.respond(503);
    const ids = [await event("oauth_attempt.failed"), await event("social_account.disconnected"), await event("oauth_attempt.failed")];
    for (let minute = 0; minute < 60; minute += 5) await advance(5 * MIN);
    expect(receiver.received.every((r) => r.status === 503)).toBe(true);
    receiver.respond(200);
    // Each delivery's next try is due within the hours its schedule says (about 2.5 h after the event, ±10 %); on a
    // loaded machine a try the pollers picked up a tick late comes a step later, so time moves on until all three are in.
    const delivered = () => new Set(receiver.received.filter((r) => r.status === 200).map((r) => r.headers["webhook-id"])).size;
    for (let hours = 0; hours < 12 && delivered() < ids.length; hours++) await advance(HOUR);
    const accepted = receiver.received.filter((r) => r.status === 200).map((r) => r.headers["webhook-id"]);
    expect([...new Set(accepted)].sort()).toEqual([...ids].sort());
    expect(accepted).toHaveLength(3);
    // Every request the receiver saw carried one of the three ids, and each body was the same for its id.
    const bodies = new Map<string, string>();
    for (const r of receiver.received) {
      expect(ids).toContain(r.headers["webhook-id"]);
      expect(bodies.get(r.headers["webhook-id"]!) ?? r.body).toBe(r.body);
      bodies.set(r.headers["webhook-id"]!, r.body);
    }
  });
});

describe("what disables an endpoint", () => {
  it("a 410 answer disables it at once, and its other deliveries stop", async () => {
    const { id } = await endpoint();
    receiver.respond(410);
    await event("oauth_attempt.failed");
    await advance(1_000);
    const [row] = await services.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    expect(row).toMatchObject({ status: "disabled", disabledReason: "gone" });
    receiver.respond(200);
    await event("oauth_attempt.failed");
    await advance(10 * MIN);
    expect(receiver.received).toHaveLength(1);
  });

  it("five days in which every delivery failed disable it", async () => {
    const { id } = await endpoint();
    receiver.respond(500);
    const status = async () => (await services.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!;
    await event("oauth_attempt.failed");
    await advance(1_000);
    const since = (await status()).failingSince!;
    for (let day = 1; day <= 4; day++) {
      await advance(DAY);
      await event("oauth_attempt.failed");
      await advance(1_000);
      expect((await status()).status, `day ${day}`).toBe("enabled");
    }
    await advance(DAY);
    await event("oauth_attempt.failed");
    await advance(1_000);
    expect(await status()).toMatchObject({ status: "disabled", disabledReason: "failing", failingSince: since });
  });

  it("a success ends the run of failures", async () => {
    const { id } = await endpoint();
    receiver.answer(500);
    await event("oauth_attempt.failed");
    await advance(1_000);
    expect((await services.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!.failingSince).not.toBeNull();
    await advance(10_000);
    expect((await services.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!.failingSince).toBeNull();
  });
});

describe("the outbox", () => {
  it("an event whose change rolls back sends nothing; one committed while no worker runs is sent when one starts", async () => {
    const { id } = await endpoint();
    await expect(
      inTransaction(ctx, async (tx) => {
        await recordEvent(tx, { orgId: tenant.orgId, projectId: tenant.projectId, livemode: false }, "oauth_attempt.failed", { n: "rolled back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await services.database.db.select().from(webhookEvents).where(eq(webhookEvents.projectId, tenant.projectId)).then((rows) => rows.some((r) => r.body.includes("rolled back")))).toBe(false);

    // The workers are gone (a crash right after the commit), then come back.
    await services.jobs.stop();
    const eventId = await event("oauth_attempt.failed", false, { n: "survives" });
    workers = await runWorkers(services.jobs, ctx);
    await advance(3_000);
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([eventId]);
    expect(await deliveriesOf(id)).toMatchObject([{ status: "succeeded" }]);
  });
});
