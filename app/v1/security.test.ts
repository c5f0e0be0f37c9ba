import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "@/server/keys/service";
import { domainContext } from "@/server/domain/context";
import { operatorScope } from "@/server/domain/scope";
import type { Services } from "@/server/services";
import { addKey, expireKey, seedAccount, request, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";

/**
 * One security suite over every public route: whatever the route, a request
 * without a valid key of the right organization gets nothing but an error.
 */
let services: Services;
let api: TestApi;
let owner: Tenant;
let stranger: Tenant;
let state: string;
let accountId: string;
const RETURN_URL = "https://app.example.com/connect/return";

interface RouteCase {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  scope: "social:write" | "social:read";
}

const ROUTES: RouteCase[] = [
  {
    name: "POST /v1/projects/:projectId/social/oauth-url",
    method: "POST",
    path: () => `/v1/projects/${owner.projectId}/social/oauth-url`,
    body: () => ({ platform: "tiktok", returnUrl: RETURN_URL }),
    scope: "social:write",
  },
  { name: "GET /v1/social/oauth-status/:state", method: "GET", path: () => `/v1/social/oauth-status/${state}`, scope: "social:read" },
  { name: "GET /v1/projects/:projectId/social/accounts", method: "GET", path: () => `/v1/projects/${owner.projectId}/social/accounts`, scope: "social:read" },
  { name: "GET /v1/social/accounts/:id", method: "GET", path: () => `/v1/social/accounts/${accountId}`, scope: "social:read" },
  { name: "DELETE /v1/social/accounts/:id", method: "DELETE", path: () => `/v1/social/accounts/${accountId}`, scope: "social:write" },
];

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  owner = await seedTenant(services, { allow: [RETURN_URL] });
  stranger = await seedTenant(services, { allow: [RETURN_URL] });
  const created = await request(api, "POST", `/v1/projects/${owner.projectId}/social/oauth-url`, {
    token: owner.token,
    body: { platform: "tiktok", returnUrl: RETURN_URL },
  });
  state = created.body.state;
  accountId = (await seedAccount(services, owner)).id;
});
afterAll(async () => {
  await api.close();
  await services.close();
});

describe.each(ROUTES)("$name", (route) => {
  const send = (token?: string, headers: Record<string, string> = {}) =>
    request(api, route.method, route.path(), { token, body: route.body?.(), headers });

  function expectUnauthenticated(res: Awaited<ReturnType<typeof send>>) {
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
    expect(res.headers.get("x-request-id")).toBe(res.body.error.requestId);
    // No rate-limit headers: nothing was authenticated to count against.
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
  }

  it("401 without a key", async () => expectUnauthenticated(await send()));

  it("401 for a non-Bearer Authorization header", async () => {
    expectUnauthenticated(await send(undefined, { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }));
  });

  it.each(["lp_live_short", "sk_live_0123456789", `${"lp_test_"}${"A".repeat(16)}_${"B".repeat(31)}`, "lp_test_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"])(
    "401 for a malformed key %s",
    async (token) => expectUnauthenticated(await send(token)),
  );

  it("401 for the right key id with the wrong secret", async () => {
    const wrong = owner.token.slice(0, -4) + (owner.token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expectUnauthenticated(await send(wrong));
  });

  it("401 for the key id with the other mode's prefix", async () => {
    expectUnauthenticated(await send(owner.token.replace("lp_test_", "lp_live_")));
  });

  it("401 for a revoked key, saying it was revoked", async () => {
    const key = await addKey(services, owner.orgId, { allow: [RETURN_URL] });
    expect((await send(key.token)).status).not.toBe(401);
    await revokeApiKey(domainContext(services), operatorScope({ type: "system" }), key.keyId);
    const res = await send(key.token);
    expectUnauthenticated(res);
    expect(res.body.error.message).toMatch(/revoked/);
  });

  it("401 for an expired key", async () => {
    const key = await addKey(services, owner.orgId, { allow: [RETURN_URL] });
    await expireKey(services, key.keyId);
    const res = await send(key.token);
    expectUnauthenticated(res);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it("404 for another organization's key, never revealing the resource", async () => {
    const res = await send(stranger.token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
    expect(res.text).not.toContain(owner.orgId);
  });

  it(`403 FORBIDDEN_SCOPE for a key without ${route.scope === "social:write" ? "social:write" : "social:read or social:write"}`, async () => {
    const other = route.scope === "social:write" ? "social:read" : null;
    if (other) {
      const key = await addKey(services, owner.orgId, { scopes: ["social:read"], allow: [RETURN_URL] });
      const res = await send(key.token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN_SCOPE");
    } else {
      // Every key holds social:read or social:write, so the read routes accept any valid scope set.
      const key = await addKey(services, owner.orgId, { scopes: ["social:read"] });
      expect((await send(key.token)).status).not.toBe(403);
    }
  });

  it("never echoes a token, hash or stack in an error", async () => {
    const res = await send(owner.token.slice(0, -1) + (owner.token.endsWith("0") ? "1" : "0"));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(owner.token.split("_")[3]!);
    expect(res.text).not.toMatch(/[0-9a-f]{64}/);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });
});
