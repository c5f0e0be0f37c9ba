import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { domainContext } from "@/server/domain/context";
import { runWorkers } from "@/server/jobs/workers";
import type { Services } from "@/server/services";
import { freshDatabase } from "@/test-support/freshDatabase";
import { seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";
import { type Received, type Receiver, startReceiver } from "@/test-support/webhookReceiver";
import { type CreatedWebhookEndpoint, Layers, LayersError, LayersWebhookError } from "../src/index";
import { caught, client, completeInSandbox, unique } from "./support";

/**
 * `layers.webhookEndpoints` against the real routes, and
 * `Layers.webhooks.verify` against deliveries the server really sent: the
 * workers (the real queue, on this file's own database) deliver to a real
 * https receiver on localhost.
 */
const RETURN_URL = "https://app.example.com/connect/return";
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let base: Services;
let api: TestApi;
let receiver: Receiver;
let tenant: Tenant;
let layers: Layers;
let endpoint: CreatedWebhookEndpoint;

beforeAll(async () => {
  fresh = await freshDatabase();
  base = await startTestServices({ env: { DATABASE_URL: fresh.url } });
  // The receiver is on localhost.
  const served = await serveApiWithSandbox(base, { LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" });
  api = served.api;
  await runWorkers(served.services.jobs, domainContext(served.services));
  receiver = await startReceiver();
  tenant = await seedTenant(served.services, { allow: [RETURN_URL], scopes: ["social:write", "social:read", "webhooks:write", "webhooks:read"] });
  layers = client(api, tenant.token).layers;
  endpoint = await layers.webhookEndpoints.create(tenant.projectId, { url: receiver.url, description: "the SDK tests' receiver" });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await base?.close();
  await receiver?.close();
  await fresh?.drop();
});
beforeEach(() => void (receiver.received.length = 0));

/** The first delivery `match` picks, once the receiver has it. */
function delivery(match: (received: Received) => boolean): Promise<Received> {
  return vi.waitFor(
    () => {
      const found = receiver.received.find(match);
      if (!found) throw new Error("not delivered yet");
      return found;
    },
    { timeout: 20_000, interval: 50 },
  );
}
const byId = (eventId: string) => (received: Received) => received.headers["webhook-id"] === eventId;

describe("webhookEndpoints", () => {
  it("create answers the endpoint with its whsec_ secret, enabled, for every event type when none are named", () => {
    expect(endpoint).toMatchObject({ id: expect.stringMatching(/^we_/), url: receiver.url, status: "enabled", description: "the SDK tests' receiver" });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(endpoint.events).toHaveLength(5);
  });

  it("list and iterate answer the project's endpoints without their secrets", async () => {
    const second = await layers.webhookEndpoints.create(tenant.projectId, { url: `${receiver.url}/second`, events: ["social_account.needs_reauth"] });
    try {
      const page = await layers.webhookEndpoints.list(tenant.projectId, { limit: 1 });
      expect(page.data.map((e) => e.id)).toEqual([endpoint.id]);
      expect(page.nextCursor).toEqual(expect.any(String));
      const all = [];
      for await (const each of layers.webhookEndpoints.iterate(tenant.projectId, { limit: 1 })) all.push(each);
      expect(all.map((e) => e.id)).toEqual([endpoint.id, second.id]);
      expect(all[1]!.events).toEqual(["social_account.needs_reauth"]);
      for (const each of all) expect(each).not.toHaveProperty("secret");
    } finally {
      await layers.webhookEndpoints.delete(second.id);
    }
  });

  it("delete answers nothing (204); the endpoint is then gone from the list, and a second delete is NOT_FOUND", async () => {
    const doomed = await layers.webhookEndpoints.create(tenant.projectId, { url: `${receiver.url}/doomed` });
    expect(await layers.webhookEndpoints.delete(doomed.id)).toBeUndefined();
    const ids = [];
    for await (const each of layers.webhookEndpoints.iterate(tenant.projectId)) ids.push(each.id);
    expect(ids).not.toContain(doomed.id);
    expect(await caught(() => layers.webhookEndpoints.delete(doomed.id))).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("create is not resent when its answer is lost (the API takes no Idempotency-Key there): NETWORK_ERROR, and one endpoint was made", async () => {
    const url = `${receiver.url}/${unique("lost")}`;
    const lossy = client(api, tenant.token, { script: () => "lose" });
    const error = await caught(() => lossy.layers.webhookEndpoints.create(tenant.projectId, { url }));
    expect(error).toBeInstanceOf(LayersError);
    expect(error).toMatchObject({ status: 0, code: "NETWORK_ERROR" });
    expect(lossy.exchanges).toHaveLength(1);
    expect(lossy.exchanges[0]!.headers.has("idempotency-key")).toBe(false);
    const made = [];
    for await (const each of layers.webhookEndpoints.iterate(tenant.projectId)) if (each.url === url) made.push(each);
    expect(made).toHaveLength(1);
    await layers.webhookEndpoints.delete(made[0]!.id);
  });
});

describe("Layers.webhooks.verify, on deliveries the server sent", () => {
  it("sendTest queues a webhook.test event; its delivery verifies with the endpoint's secret and reads { type, timestamp, data }", async () => {
    const { eventId } = await layers.webhookEndpoints.sendTest(endpoint.id);
    expect(eventId).toMatch(/^evt_/);
    const got = await delivery(byId(eventId));
    const event = await Layers.webhooks.verify(got.body, got.headers, endpoint.secret);
    expect(event).toEqual({ type: "webhook.test", timestamp: expect.any(String), data: { endpointId: endpoint.id } });
  });

  it("a social_account.connected delivery verifies and carries the account waitForConnection answered", async () => {
    const { state, authorizeUrl } = await layers.social.createOAuthUrl({ projectId: tenant.projectId, platform: "tiktok", returnUrl: RETURN_URL });
    const username = unique("hooked");
    await completeInSandbox(api, authorizeUrl, username);
    const attempt = await layers.social.waitForConnection(state, { timeoutMs: 20_000 });
    if (attempt.status !== "completed") throw new Error(`expected completed, got ${attempt.status}`);
    const got = await delivery((received) => received.body.includes(state));
    const event = await Layers.webhooks.verify(got.body, got.headers, endpoint.secret);
    if (event.type !== "social_account.connected") throw new Error(`expected social_account.connected, got ${event.type}`);
    expect(event.data).toMatchObject({ id: attempt.socialAccountId, username, state, reconnected: false, missingScopes: [] });
  });

  it("is refused for a real delivery with another secret, a changed body, or an old timestamp", async () => {
    const { eventId } = await layers.webhookEndpoints.sendTest(endpoint.id);
    const got = await delivery(byId(eventId));
    const refusals = [
      () => Layers.webhooks.verify(got.body, got.headers, `whsec_${Buffer.alloc(32, 7).toString("base64")}`),
      () => Layers.webhooks.verify(got.body.replace(endpoint.id, "we_00000000000000000000000000"), got.headers, endpoint.secret),
      () => Layers.webhooks.verify(got.body, { ...got.headers, "webhook-timestamp": String(Number(got.headers["webhook-timestamp"]) - 600) }, endpoint.secret),
    ];
    const codes = [];
    for (const refused of refusals) {
      const error = await caught(refused);
      expect(error).toBeInstanceOf(LayersWebhookError);
      codes.push((error as LayersWebhookError).code);
    }
    expect(codes).toEqual(["INVALID_SIGNATURE", "INVALID_SIGNATURE", "TIMESTAMP_OUT_OF_RANGE"]);
  });

  it("after rotateSecret, a delivery carries two signatures and verifies with the new secret and the old one", async () => {
    const rotating = await layers.webhookEndpoints.create(tenant.projectId, { url: `${receiver.url}/rotating` });
    try {
      const { secret } = await layers.webhookEndpoints.rotateSecret(rotating.id);
      expect(secret).toMatch(/^whsec_/);
      expect(secret).not.toBe(rotating.secret);
      const { eventId } = await layers.webhookEndpoints.sendTest(rotating.id);
      const got = await delivery(byId(eventId));
      expect(got.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
      for (const each of [secret, rotating.secret]) {
        expect(await Layers.webhooks.verify(got.body, got.headers, each)).toMatchObject({ type: "webhook.test", data: { endpointId: rotating.id } });
      }
    } finally {
      await layers.webhookEndpoints.delete(rotating.id);
    }
  });
});
