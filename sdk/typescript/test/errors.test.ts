import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/db/ids";
import type { Services } from "@/server/services";
import { addKey, seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";
import { LayersError, type Platform } from "../src/index";
import { caught, client, errorAnswer, type Exchange } from "./support";

/**
 * Every error the API answers, as the SDK throws it: a LayersError with the
 * HTTP status, the code, the API's message, the request id (the same as the
 * X-Request-Id header) and, on VALIDATION only, the issues. None of these is
 * retried. Then the SDK's own codes for answers that are not the API's.
 */
const RETURN_URL = "https://app.example.com/connect/return";
let base: Services;
let api: TestApi;
let tenant: Tenant;

beforeAll(async () => {
  base = await startTestServices();
  // Live keys get 503 PLATFORM_NOT_CONFIGURED: no TikTok credentials here.
  ({ api } = await serveApiWithSandbox(base));
  tenant = await seedTenant(base, { allow: [RETURN_URL] });
});
afterAll(async () => {
  await api?.close();
  await base?.close();
});

/** What a call threw, checked to be the LayersError of its one exchange (no retry). */
async function apiError(call: () => Promise<unknown>, exchanges: Exchange[]): Promise<LayersError> {
  const error = await caught(call);
  expect(error).toBeInstanceOf(LayersError);
  const layersError = error as LayersError;
  expect(exchanges).toHaveLength(1);
  expect(layersError.name).toBe("LayersError");
  expect(layersError.status).toBe(exchanges[0]!.status);
  expect(layersError.requestId).toMatch(/^req_/);
  expect(layersError.requestId).toBe(exchanges[0]!.requestId);
  expect(layersError.message.length).toBeGreaterThan(10);
  return layersError;
}

const oauthUrl = (overrides: { returnUrl?: string; platform?: Platform; usageNote?: string } = {}) => ({
  projectId: tenant.projectId,
  platform: "tiktok" as Platform,
  returnUrl: RETURN_URL,
  ...overrides,
});

describe("the API's errors, thrown as LayersError", () => {
  it("401 UNAUTHENTICATED for a key that is not one", async () => {
    const { layers, exchanges } = client(api, `${tenant.token.slice(0, -4)}AAAA`);
    const error = await apiError(() => layers.accounts.list(tenant.projectId), exchanges);
    expect(error).toMatchObject({ status: 401, code: "UNAUTHENTICATED", issues: undefined });
  });

  it("403 FORBIDDEN_SCOPE, naming the scope, for a key without it", async () => {
    const reader = await addKey(base, tenant.orgId, { scopes: ["social:read"], allow: [RETURN_URL] });
    const { layers, exchanges } = client(api, reader.token);
    const error = await apiError(() => layers.social.createOAuthUrl(oauthUrl()), exchanges);
    expect(error).toMatchObject({ status: 403, code: "FORBIDDEN_SCOPE" });
    expect(error.message).toContain("social:write");
  });

  it("403 RETURN_URL_NOT_ALLOWED for a returnUrl off the key's allowlist", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const error = await apiError(() => layers.social.createOAuthUrl(oauthUrl({ returnUrl: "https://elsewhere.example.com/return" })), exchanges);
    expect(error).toMatchObject({ status: 403, code: "RETURN_URL_NOT_ALLOWED" });
  });

  it("404 NOT_FOUND for an account that is not the key's", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const error = await apiError(() => layers.accounts.get(newId("sa")), exchanges);
    expect(error).toMatchObject({ status: 404, code: "NOT_FOUND", issues: undefined });
  });

  it("400 VALIDATION with the issues, each naming its field", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const error = await apiError(() => layers.social.createOAuthUrl(oauthUrl({ usageNote: "x".repeat(501), platform: "myspace" as Platform })), exchanges);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION" });
    expect(error.issues?.map((issue) => issue.path).sort()).toEqual(["platform", "usageNote"]);
    for (const issue of error.issues!) expect(issue.message).toEqual(expect.any(String));
  });

  it("413 PAYLOAD_TOO_LARGE for a body over 64 KiB", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const error = await apiError(() => layers.social.createOAuthUrl(oauthUrl({ usageNote: "x".repeat(70_000) })), exchanges);
    expect(error).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
  });

  it("409 IDEMPOTENCY_CONFLICT for a key reused with another body", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    await layers.social.createOAuthUrl(oauthUrl({ usageNote: "one" }), { idempotencyKey: "conflicting-key" });
    exchanges.length = 0;
    const error = await apiError(() => layers.social.createOAuthUrl(oauthUrl({ usageNote: "two" }), { idempotencyKey: "conflicting-key" }), exchanges);
    expect(error).toMatchObject({ status: 409, code: "IDEMPOTENCY_CONFLICT" });
  });

  it("503 PLATFORM_NOT_CONFIGURED for a live key on an instance without the platform's credentials, not retried: waiting does not fix it", async () => {
    const live = await addKey(base, tenant.orgId, { mode: "live", allow: [RETURN_URL] });
    const { layers, exchanges } = client(api, live.token);
    const error = await apiError(() => layers.social.createOAuthUrl(oauthUrl()), exchanges);
    expect(error).toMatchObject({ status: 503, code: "PLATFORM_NOT_CONFIGURED" });
  });
});

describe("the SDK's own error codes", () => {
  it("INVALID_RESPONSE, with the status and X-Request-Id, for an answer that is not the API's JSON (a proxy's page)", async () => {
    const proxyPage = () => new Response("<html>Bad gateway</html>", { status: 502, headers: { "content-type": "text/html", "x-request-id": "req_FROM_HEADER" } });
    const { layers, exchanges } = client(api, tenant.token, { script: proxyPage });
    const error = await caught(() => layers.accounts.list(tenant.projectId));
    expect(error).toMatchObject({ status: 502, code: "INVALID_RESPONSE", requestId: "req_FROM_HEADER" });
    expect(exchanges).toHaveLength(1);
  });

  it("INVALID_RESPONSE for a 2xx whose body is not JSON", async () => {
    const { layers } = client(api, tenant.token, { script: () => new Response("ok", { status: 200 }) });
    expect(await caught(() => layers.accounts.get(newId("sa")))).toMatchObject({ status: 200, code: "INVALID_RESPONSE" });
  });

  it("the body's requestId wins over the header, as the API sends both", async () => {
    const { layers } = client(api, tenant.token, { script: () => errorAnswer(404, "NOT_FOUND", { "x-request-id": "req_HEADER" }) });
    expect(await caught(() => layers.accounts.get(newId("sa")))).toMatchObject({ status: 404, code: "NOT_FOUND", requestId: "req_SCRIPTED" });
  });
});
