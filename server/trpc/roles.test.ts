import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject } from "../projects/service";
import { createUser } from "../users/service";
import { domainContext } from "../domain/context";
import { modeScope, orgScope } from "../domain/scope";
import { createWebhookEndpoint, sendTestWebhook } from "../webhooks/endpoints";
import { listDeliveries } from "../webhooks/history";
import type { Services } from "../services";
import { seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { createCallerFactory } from "./init";
import { browserCallFromHeaders, browserCallFromRequest, isSameOrigin } from "./origin";
import { appRouter } from "./root";

let services: Services;
let tenant: Tenant;
const ids: Record<"owner" | "admin" | "member", string> = { owner: "", admin: "", member: "" };
const caller = (userId: string | null) => createCallerFactory(appRouter)({ services, userId, requestId: "req_roles_test", source: "in-process" });

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services);
  for (const role of ["owner", "admin", "member"] as const) {
    ids[role] = (await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email: `${role}-${Date.now()}-${Math.random()}@example.com`, password: "correct horse battery", role })).id;
  }
  // Test events and resends go out through the job queues (nothing here works them).
  await services.jobs.start({ work: false });
});
afterAll(() => services.close());

const system = () => orgScope(tenant.orgId, { type: "system" });
/**
 * A test-mode webhook endpoint of its own project (a project holds at most 10
 * per mode). A public address by its literal: no DNS, and no mode's address
 * rules refuse it; nothing here works the queue, so nothing is sent to it.
 */
async function webhookEndpoint() {
  const project = await createProject(domainContext(services), system(), { name: "Webhooks" });
  return createWebhookEndpoint(domainContext(services), modeScope(system(), "test"), { projectId: project.id, readBody: async () => ({ url: "https://93.184.216.34/roles" }) });
}
async function webhookDelivery() {
  const { id } = await webhookEndpoint();
  await sendTestWebhook(domainContext(services), modeScope(system(), "test"), id);
  return (await listDeliveries(domainContext(services), modeScope(system(), "test"), { endpointId: id })).items[0]!.id;
}

/** Every mutation, with fresh inputs so each role's call can succeed on its own. */
const MUTATIONS: Record<string, (c: ReturnType<typeof caller>) => Promise<unknown>> = {
  "projects.create": (c) => c.projects.create({ name: "New project" }),
  "projects.rename": async (c) => c.projects.rename({ id: (await createProject(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { name: "p" })).id, name: "x" }),
  "projects.archive": (c) => c.projects.archive({ id: tenant.projectId }),
  "apiKeys.create": (c) => c.apiKeys.create({ name: "k", scopes: ["social:read"], mode: "test", allow: [] }),
  "apiKeys.revoke": (c) => c.apiKeys.revoke({ id: tenant.keyId }),
  "apiKeys.updateBudgets": (c) => c.apiKeys.updateBudgets({ id: tenant.keyId, writeLimit: "5/60s", readLimit: null }),
  "allowlist.add": (c) => c.allowlist.add({ keyId: tenant.keyId, url: "https://added.example.com/cb" }),
  "allowlist.remove": async (c) => {
    await caller(ids.owner).allowlist.add({ keyId: tenant.keyId, url: "https://gone.example.com/cb" });
    return c.allowlist.remove({ keyId: tenant.keyId, url: "https://gone.example.com/cb" });
  },
  "accounts.disconnect": async (c) => c.accounts.disconnect({ id: (await seedAccount(services, tenant)).id, mode: "test" }),
  // A new Instagram token is answered as it is (Instagram refreshes none under 24 h old): no platform call needed.
  "accounts.refresh": async (c) => c.accounts.refresh({ id: (await seedAccount(services, tenant, { platform: "instagram", refreshToken: null })).id, mode: "test" }),
  "members.add": (c) => c.members.add({ email: `new-${Math.random()}@example.com`, role: "member", password: "another long password" }),
  "webhooks.create": async (c) => c.webhooks.create({ mode: "test", projectId: (await createProject(domainContext(services), system(), { name: "w" })).id, url: "https://93.184.216.34/created" }),
  "webhooks.sendTest": async (c) => c.webhooks.sendTest({ mode: "test", id: (await webhookEndpoint()).id }),
  "webhooks.resend": async (c) => c.webhooks.resend({ mode: "test", deliveryId: await webhookDelivery() }),
  "webhooks.setEnabled": async (c) => c.webhooks.setEnabled({ mode: "test", id: (await webhookEndpoint()).id, enabled: false }),
  "webhooks.rotateSecret": async (c) => c.webhooks.rotateSecret({ mode: "test", id: (await webhookEndpoint()).id }),
  "webhooks.delete": async (c) => c.webhooks.delete({ mode: "test", id: (await webhookEndpoint()).id }),
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

describe.each(Object.keys(MUTATIONS))("%s", (name) => {
  const run = MUTATIONS[name]!;
  it("is refused to a member", async () => expect(await codeOf(run(caller(ids.member)))).toBe("FORBIDDEN"));
  it("is refused when signed out", async () => expect(await codeOf(run(caller(null)))).toBe("UNAUTHORIZED"));
  it("is allowed to an admin", async () => expect(await codeOf(run(caller(ids.admin)))).toBe("OK"));
  it("is allowed to an owner", async () => expect(await codeOf(run(caller(ids.owner)))).toBe("OK"));
});

describe("reads", () => {
  it("are open to members, scoped to their organization", async () => {
    const member = caller(ids.member);
    expect((await member.me()).role).toBe("member");
    expect((await member.projects.list()).map((p) => p.id)).toContain(tenant.projectId);
    const other = await seedTenant(services);
    expect((await member.projects.list()).map((p) => p.id)).not.toContain(other.projectId);
    expect(await codeOf(member.apiKeys.get({ id: other.keyId }))).toBe("NOT_FOUND");
    const keys = await member.apiKeys.list();
    expect(JSON.stringify(keys)).not.toMatch(/secretHash|lp_(live|test)_\w+_\w{32}/);
    const deliveryId = await webhookDelivery();
    const endpoints = await member.webhooks.list({ mode: "test" });
    expect(endpoints.length).toBeGreaterThan(0);
    expect(JSON.stringify(endpoints)).not.toMatch(/whsec_|secretEnc/);
    const delivery = await member.webhooks.delivery({ mode: "test", id: deliveryId });
    expect((await member.webhooks.deliveries({ mode: "test", endpointId: delivery.endpointId })).items.map((d) => d.id)).toEqual([deliveryId]);
  });

  it("the audit log says who did what", async () => {
    await caller(ids.admin).allowlist.add({ keyId: tenant.keyId, url: "https://audited.example.com/cb" });
    const { items } = await caller(ids.member).audit.list({});
    const entry = items.find((e) => e.action === "allowlist.added" && JSON.stringify(e.data).includes("audited.example.com"));
    expect(entry?.actorLabel).toMatch(/^admin-.*@example\.com$/);
  });

  it("only an owner adds an owner", async () => {
    expect(await codeOf(caller(ids.admin).members.add({ email: `o-${Math.random()}@example.com`, role: "owner", password: "another long password" }))).toBe("FORBIDDEN");
  });

  it("domain validation errors come back as BAD_REQUEST with their message", async () => {
    const error = await caller(ids.admin)
      .allowlist.add({ keyId: tenant.keyId, url: "http://plain.example.com/cb" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toMatch(/must use https/);
  });
});

describe("same-origin check for console mutations", () => {
  const post = (headers: Record<string, string>) => browserCallFromRequest(new Request("http://localhost:3000/api/trpc/projects.create", { method: "POST", headers }));
  it("accepts the console's own origin and refuses others", () => {
    expect(isSameOrigin(post({ origin: "http://localhost:3000" }), "http://localhost:3000")).toBe(true);
    expect(isSameOrigin(post({ origin: "https://evil.example.com" }), "http://localhost:3000")).toBe(false);
    expect(isSameOrigin(post({ origin: "null" }), "http://localhost:3000")).toBe(false);
    expect(isSameOrigin(post({ "sec-fetch-site": "cross-site" }), "http://localhost:3000")).toBe(false);
    expect(isSameOrigin(post({ "sec-fetch-site": "same-origin" }), "http://localhost:3000")).toBe(true);
  });

  it("reads a server action's origin from its headers: the Host it was sent to, or the public URL", () => {
    const action = (headers: Record<string, string>) => browserCallFromHeaders(new Headers(headers), "http://localhost:3000");
    expect(isSameOrigin(action({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" }), "http://localhost:3000")).toBe(true);
    expect(isSameOrigin(action({ host: "10.0.0.5:3000", origin: "http://localhost:3000" }), "http://localhost:3000")).toBe(true);
    expect(isSameOrigin(action({ host: "localhost:3000", origin: "https://evil.example.com" }), "http://localhost:3000")).toBe(false);
    expect(isSameOrigin(action({ host: "localhost:3000", origin: "https://localhost:3000" }), "http://localhost:3000")).toBe(false);
    expect(isSameOrigin(action({ host: "app.internal", "x-forwarded-host": "console.example.com", "x-forwarded-proto": "https", origin: "https://console.example.com" }), "http://localhost:3000")).toBe(true);
  });
});
