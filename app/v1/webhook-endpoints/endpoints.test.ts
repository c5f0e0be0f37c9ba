import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SCOPES } from "@/server/contract/vocabulary";
import { domainContext } from "@/server/domain/context";
import { runWorkers } from "@/server/jobs/workers";
import { type Services, setServices } from "@/server/services";
import { addKey, deriveServices, request, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { freshDatabase } from "@/test-support/freshDatabase";
import { type Receiver, startReceiver } from "@/test-support/webhookReceiver";

/**
 * The webhook endpoint routes over HTTP (CONTRACT.md §3): create (the secret
 * once), list (never a secret), rotate, test, delete; the key's mode and
 * organization; the URL rules at creation.
 */
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let services: Services;
let api: TestApi;
let receiver: Receiver;
let tenant: Tenant;
let live: Tenant;

beforeAll(async () => {
  fresh = await freshDatabase();
  services = await startTestServices({ env: { DATABASE_URL: fresh.url, LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" } });
  await runWorkers(services.jobs, domainContext(services));
  api = await startApi();
  receiver = await startReceiver();
  tenant = await seedTenant(services, { scopes: [...API_SCOPES] });
  live = { ...tenant, ...(await addKey(services, tenant.orgId, { mode: "live", scopes: [...API_SCOPES] })) };
}, 120_000);
afterAll(async () => {
  await api?.close();
  await services?.close();
  await receiver?.close();
  await fresh?.drop();
});

const create = (body: unknown, token = tenant.token) => request(api, "POST", `/v1/projects/${tenant.projectId}/webhook-endpoints`, { token, body });
const list = (token = tenant.token, query = "") => request(api, "GET", `/v1/projects/${tenant.projectId}/webhook-endpoints${query}`, { token });

describe("POST /v1/projects/:projectId/webhook-endpoints", () => {
  it("201 with the endpoint and its secret, shown only here", async () => {
    const res = await create({ url: receiver.url, events: ["social_account.connected", "oauth_attempt.failed"], description: "Staging" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ url: receiver.url, events: ["social_account.connected", "oauth_attempt.failed"], status: "enabled", description: "Staging" });
    expect(res.body.id).toMatch(/^we_/);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(res.body.secret.slice(6), "base64")).toHaveLength(32);
    const listed = await list();
    expect(listed.body.data.find((e: { id: string }) => e.id === res.body.id)).toEqual({ ...res.body, secret: undefined });
    expect(listed.text).not.toContain(res.body.secret.slice(6));
  });

  it("takes every event type when none is named", async () => {
    const res = await create({ url: receiver.url });
    expect(res.body.events).toEqual(["social_account.connected", "oauth_attempt.failed", "social_account.needs_reauth", "social_account.disconnected", "webhook.test"]);
  });

  it("400 VALIDATION naming the field: an unknown event type, a missing URL, a URL that is not a URL", async () => {
    for (const [body, path] of [
      [{ url: receiver.url, events: ["account.created"] }, "events.0"],
      [{ events: ["webhook.test"] }, "url"],
      [{ url: "hooks.example.com/layers" }, "url"],
      [{ url: receiver.url, extra: 1 }, "extra"],
      [{ url: receiver.url, event: ["webhook.test"] }, "event"],
    ] as const) {
      const res = await create(body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, "VALIDATION"]);
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    const typo = await create({ url: receiver.url, event: ["webhook.test"] });
    expect(typo.body.error.issues[0].message).toContain("unknown field `event` (did you mean `events`?)");
  });

  it("refuses a host that resolves to a private address unless the instance allows them", async () => {
    const strict = deriveServices(services, { LAYERS_WEBHOOKS_ALLOW_PRIVATE: "0" });
    setServices(strict);
    try {
      for (const url of ["https://localhost:4443/hooks", "https://169.254.169.254/latest/meta-data", "https://10.0.0.8/hooks"]) {
        const res = await create({ url });
        expect([res.status, res.body.error.code], url).toEqual([400, "VALIDATION"]);
        expect(res.body.error.issues[0]).toMatchObject({ path: "url", message: expect.stringMatching(/non-public address/) });
      }
    } finally {
      setServices(services);
    }
  });

  it("404 for a project of another organization, before the body is judged", async () => {
    const other = await seedTenant(services, { scopes: [...API_SCOPES] });
    const res = await request(api, "POST", `/v1/projects/${other.projectId}/webhook-endpoints`, { token: tenant.token, rawBody: "not json" });
    expect(res.status).toBe(404);
  });
});

describe("an endpoint's life", () => {
  it("test event, rotation and deletion; a key of the other mode sees none of it", async () => {
    const created = (await create({ url: receiver.url })).body;
    const path = `/v1/webhook-endpoints/${created.id}`;

    const tested = await request(api, "POST", `${path}/test`, { token: tenant.token });
    expect(tested.status).toBe(202);
    expect(tested.body.eventId).toMatch(/^evt_/);
    await expect.poll(() => receiver.received.some((r) => r.headers["webhook-id"] === tested.body.eventId), { timeout: 15_000 }).toBe(true);

    const rotated = await request(api, "POST", `${path}/rotate-secret`, { token: tenant.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);

    for (const [method, suffix] of [["POST", "/test"], ["POST", "/rotate-secret"], ["DELETE", ""]] as const) {
      expect((await request(api, method, `${path}${suffix}`, { token: live.token })).status, `${method} ${suffix} with a live key`).toBe(404);
    }
    expect((await list(live.token)).body.data).toEqual([]);

    expect((await request(api, "DELETE", path, { token: tenant.token })).status).toBe(204);
    expect((await request(api, "POST", `${path}/test`, { token: tenant.token })).status).toBe(404);
    expect((await list()).body.data.map((e: { id: string }) => e.id)).not.toContain(created.id);
  });

  it("pages through a project's endpoints, and stops at ten per mode", async () => {
    const before = (await list()).body.data.length;
    for (let i = before; i < 10; i++) expect((await create({ url: `${receiver.url}?n=${i}` })).status).toBe(201);
    const tooMany = await create({ url: receiver.url });
    expect([tooMany.status, tooMany.body.error.issues[0].message]).toEqual([400, expect.stringMatching(/at most 10 webhook endpoints/)]);
    const first = await list(tenant.token, "?limit=4");
    expect(first.body.data).toHaveLength(4);
    const second = await list(tenant.token, `?limit=100&cursor=${first.body.nextCursor}`);
    expect(second.body.data).toHaveLength(6);
    expect(second.body.nextCursor).toBeNull();
    // The other mode has its own ten.
    expect((await create({ url: receiver.url }, live.token)).status).toBe(201);
  });
});
