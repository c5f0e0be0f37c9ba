import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveServices, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { trpcError } from "@/test-support/trpc";
import { domainContext } from "../domain/context";
import { orgScope } from "../domain/scope";
import type { Services } from "../services";
import { createCallerFactory } from "../trpc/init";
import { appRouter } from "../trpc/root";
import { createUser } from "../users/service";

let services: Services;
let tenant: Tenant;
const users = { admin: "", member: "" };
const caller = (userId: string, on: Services = services) => createCallerFactory(appRouter)({ services: on, userId, requestId: "req_console_keys", source: "in-process" });

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services, { allow: ["https://app.example.com/cb"] });
  for (const role of ["admin", "member"] as const) {
    users[role] = (await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email: `${role}-${Date.now()}@example.com`, password: "correct horse battery", role })).id;
  }
});
afterAll(() => services.close());

describe("apiKeys.instance: what the key form says about this instance", () => {
  it("tells a member which platforms have no app credentials, and the public URL, without the credentials", async () => {
    expect(await caller(users.member).apiKeys.instance()).toEqual({
      publicUrl: "http://layers.test",
      sandbox: true,
      platforms: { tiktok: false, instagram: false },
    });
  });

  it("says a platform is configured once its credentials are set, and never returns them", async () => {
    const configured = deriveServices(services, { TIKTOK_CLIENT_KEY: "tt-client-key", TIKTOK_CLIENT_SECRET: "tt-very-secret" });
    const facts = await caller(users.admin, configured).apiKeys.instance();
    expect(facts.platforms).toEqual({ tiktok: true, instagram: false });
    expect(JSON.stringify(facts)).not.toMatch(/tt-client-key|tt-very-secret/);
  });
});

describe("apiKeys.create: what the new-key panel builds its curl from", () => {
  it("returns the key's mode and its normalised allowlist beside the key", async () => {
    const created = await caller(users.admin).apiKeys.create({ name: "Panel", scopes: ["social:write"], mode: "test", allow: ["HTTPS://APP.EXAMPLE.COM/connected"] });
    expect(created).toMatchObject({ mode: "test", allowlist: ["https://app.example.com/connected"], key: expect.stringMatching(/^lp_test_/) });
  });
});

describe("allowlist.add: a duplicate is said, not silently accepted", () => {
  it("answers added: false and the sentence for a URL already there in other letter case", async () => {
    expect(await caller(users.admin).allowlist.add({ keyId: tenant.keyId, url: "HTTPS://APP.EXAMPLE.COM/cb" })).toEqual({
      allowlist: ["https://app.example.com/cb"],
      added: false,
      message: "https://app.example.com/cb is already on this key's allowlist.",
    });
  });

  it("answers added: true and no message for a new URL", async () => {
    expect(await caller(users.admin).allowlist.add({ keyId: tenant.keyId, url: "http://localhost:3000/cb" })).toEqual({
      allowlist: ["http://localhost:3000/cb", "https://app.example.com/cb"],
      added: true,
      message: null,
    });
  });

  it("refuses a URL without a scheme as BAD_REQUEST, naming what to write", async () => {
    const error = await trpcError(() => caller(users.admin).allowlist.add({ keyId: tenant.keyId, url: "app.example.com/cb" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain('"app.example.com/cb" has no scheme: write https://app.example.com/cb');
  });
});
