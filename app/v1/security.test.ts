import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, type RouteId, type RouteSpec } from "@/server/contract/routes";
import { API_SCOPES } from "@/server/contract/vocabulary";
import { domainContext } from "@/server/domain/context";
import { modeScope, operatorScope, orgScope } from "@/server/domain/scope";
import { createWebhookEndpoint } from "@/server/webhooks/endpoints";
import { revokeApiKey } from "@/server/keys/service";
import type { Services } from "@/server/services";
import { addKey, expireKey, seedAccount, request, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";

/**
 * One security suite over every route in the table: whatever the route, a
 * request without a valid key of the right organization and scope gets
 * nothing but an error. A new table entry needs an example request below,
 * and then gets every check here without another edit.
 */
let services: Services;
let api: TestApi;
let owner: Tenant;
let stranger: Tenant;
let state: string;
let accountId: string;
let endpointId: string;
const RETURN_URL = "https://app.example.com/connect/return";

interface Example {
  path: string;
  body?: unknown;
}

/** A request each route would serve for the owner's key: its resources exist and belong to the owner. */
const EXAMPLES: Record<RouteId, () => Example> = {
  createOAuthUrl: () => ({ path: `/v1/projects/${owner.projectId}/social/oauth-url`, body: { platform: "tiktok", returnUrl: RETURN_URL } }),
  getOAuthStatus: () => ({ path: `/v1/social/oauth-status/${state}` }),
  // An unknown state: the callback must not spend the owner's attempt.
  oauthCallback: () => ({ path: "/v1/social/oauth/callback/tiktok?state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A&code=nope" }),
  listSocialAccounts: () => ({ path: `/v1/projects/${owner.projectId}/social/accounts` }),
  getSocialAccount: () => ({ path: `/v1/social/accounts/${accountId}` }),
  disconnectSocialAccount: () => ({ path: `/v1/social/accounts/${accountId}` }),
  refreshSocialAccount: () => ({ path: `/v1/social/accounts/${accountId}/refresh` }),
  // A public address by its literal: creating it needs no DNS, and no mode's address rules refuse it.
  createWebhookEndpoint: () => ({ path: `/v1/projects/${owner.projectId}/webhook-endpoints`, body: { url: "https://93.184.216.34/layers" } }),
  listWebhookEndpoints: () => ({ path: `/v1/projects/${owner.projectId}/webhook-endpoints` }),
  deleteWebhookEndpoint: () => ({ path: `/v1/webhook-endpoints/${endpointId}` }),
  rotateWebhookSecret: () => ({ path: `/v1/webhook-endpoints/${endpointId}/rotate-secret` }),
  testWebhookEndpoint: () => ({ path: `/v1/webhook-endpoints/${endpointId}/test` }),
  openApiDocument: () => ({ path: "/v1/openapi.json" }),
};

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  owner = await seedTenant(services, { allow: [RETURN_URL], scopes: [...API_SCOPES] });
  stranger = await seedTenant(services, { allow: [RETURN_URL], scopes: [...API_SCOPES] });
  const created = await request(api, "POST", EXAMPLES.createOAuthUrl().path, { token: owner.token, body: EXAMPLES.createOAuthUrl().body });
  state = created.body.state;
  accountId = (await seedAccount(services, owner)).id;
  // The test event goes out through the job queues.
  await services.jobs.start({ work: false });
  const ownerScope = modeScope(orgScope(owner.orgId, { type: "system" }), "test");
  const endpoint = await createWebhookEndpoint(domainContext(services), ownerScope, { projectId: owner.projectId, readBody: async () => ({ url: "https://93.184.216.34/owner" }) });
  endpointId = endpoint.id;
});
afterAll(async () => {
  await api.close();
  await services.close();
});

it("has an example request for every route in the table", () => {
  const missing = ROUTES.filter((route) => !(route.id in EXAMPLES)).map((route) => route.id);
  expect(missing, "add an example for each new route to EXAMPLES").toEqual([]);
});

const send = (route: RouteSpec, token?: string, headers: Record<string, string> = {}) => {
  const example = EXAMPLES[route.id as RouteId]();
  return request(api, route.method, example.path, { token, body: example.body, headers });
};

describe.each(ROUTES.filter((route) => route.scopes === null))("$method $path (no key)", (route) => {
  it("answers without a key, and never asks for one", async () => {
    const res = await send(route);
    expect(res.status).not.toBe(401);
    expect(res.headers.get("x-request-id")).toMatch(/\S/);
  });
});

describe.each(ROUTES.filter((route) => route.scopes !== null))("$method $path", (route) => {
  const scopes = route.scopes!;

  function expectUnauthenticated(res: Awaited<ReturnType<typeof send>>) {
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
    expect(res.headers.get("x-request-id")).toBe(res.body.error.requestId);
    // No rate-limit headers: nothing was authenticated to count against.
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
  }

  it("401 without a key", async () => expectUnauthenticated(await send(route)));

  it("401 for a non-Bearer Authorization header", async () => {
    expectUnauthenticated(await send(route, undefined, { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }));
  });

  it.each(["lp_live_short", "sk_live_0123456789", `${"lp_test_"}${"A".repeat(16)}_${"B".repeat(31)}`, "lp_test_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"])(
    "401 for a malformed key %s",
    async (token) => expectUnauthenticated(await send(route, token)),
  );

  it("401 for the right key id with the wrong secret", async () => {
    const wrong = owner.token.slice(0, -4) + (owner.token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expectUnauthenticated(await send(route, wrong));
  });

  it("401 for the key id with the other mode's prefix", async () => {
    expectUnauthenticated(await send(route, owner.token.replace("lp_test_", "lp_live_")));
  });

  it("401 for a revoked key, saying it was revoked", async () => {
    const key = await addKey(services, owner.orgId, { allow: [RETURN_URL] });
    expect((await send(route, key.token)).status).not.toBe(401);
    await revokeApiKey(domainContext(services), operatorScope({ type: "system" }), key.keyId);
    const res = await send(route, key.token);
    expectUnauthenticated(res);
    expect(res.body.error.message).toMatch(/revoked/);
  });

  it("401 for an expired key", async () => {
    const key = await addKey(services, owner.orgId, { allow: [RETURN_URL] });
    await expireKey(services, key.keyId);
    const res = await send(route, key.token);
    expectUnauthenticated(res);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it("404 for another organization's key, never revealing the resource", async () => {
    const res = await send(route, stranger.token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
    expect(res.text).not.toContain(owner.orgId);
  });

  it(`needs ${scopes.join(" or ")}: each is enough, and a key with only other scopes gets 403 FORBIDDEN_SCOPE`, async () => {
    for (const scope of scopes) {
      const key = await addKey(services, owner.orgId, { scopes: [scope], allow: [RETURN_URL] });
      expect((await send(route, key.token)).status, `a key with ${scope}`).not.toBe(403);
    }
    const others = API_SCOPES.filter((scope) => !scopes.includes(scope));
    // A route that takes every scope has no key to refuse: the loop above covered it.
    if (!others.length) return;
    const key = await addKey(services, owner.orgId, { scopes: others, allow: [RETURN_URL] });
    const res = await send(route, key.token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN_SCOPE");
    expect(res.body.error.message).toContain(scopes[0]);
  });

  it("never echoes a token, hash or stack in an error", async () => {
    const res = await send(route, owner.token.slice(0, -1) + (owner.token.endsWith("0") ? "1" : "0"));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(owner.token.split("_")[3]!);
    expect(res.text).not.toMatch(/[0-9a-f]{64}/);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });
});
