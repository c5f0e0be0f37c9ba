import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/db/ids";
import { oauthStates } from "@/db/schema";
import { type Services, setServices } from "@/server/services";
import { addKey, deriveServices, type ApiResponse, request, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { SEALED } from "@/server/crypto/sealed";

let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";
const path = (projectId: string) => `/v1/projects/${projectId}/social/oauth-url`;

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  // This file writes more than the default budget allows a minute.
  tenant = await seedTenant(services, { allow: [RETURN_URL, "http://localhost:4000/back"], writeLimit: "200/60s" });
});
afterAll(async () => {
  await api.close();
  await services.close();
});

const post = (body: unknown, opts: { token?: string; projectId?: string; headers?: Record<string, string> } = {}) =>
  request(api, "POST", path(opts.projectId ?? tenant.projectId), { token: opts.token ?? tenant.token, body, headers: opts.headers });

function expectError(res: ApiResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  expect(typeof res.body.error.message).toBe("string");
  if (code !== "VALIDATION") expect(res.body.error.issues).toBeUndefined();
}

const stateRow = async (state: string) =>
  (await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, state)))[0];

describe("POST oauth-url: success", () => {
  it("builds a TikTok authorize URL with client_key, comma-separated default scopes and PKCE S256", async () => {
    const before = Date.now();
    const res = await post({ platform: "tiktok", returnUrl: RETURN_URL, usageNote: "Connecting Acme Coffee" });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["authorizeUrl", "connectUrl", "expiresAt", "state"]);
    expect(res.body.state).toMatch(/^st_[0-9A-Z]{32}$/);
    // The hosted connect page, for integrators who would rather send a link of Layers'.
    expect(res.body.connectUrl).toBe(`http://layers.test/connect/${res.body.state}`);
    const url = new URL(res.body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe("http://layers.test/sandbox/tiktok/v2/auth/authorize/");
    const q = url.searchParams;
    expect(q.get("client_key")).toBe("sandbox_tiktok");
    expect(q.has("client_id")).toBe(false);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("scope")).toBe("user.info.basic,user.info.profile,user.info.stats,video.list,video.upload,video.publish");
    expect(q.get("redirect_uri")).toBe("http://layers.test/v1/social/oauth/callback/tiktok");
    expect(q.get("state")).toBe(res.body.state);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[0-9a-f]{64}$/);
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    // The verifier stays on the server, sealed, and matches the challenge.
    const row = await stateRow(res.body.state);
    expect(row?.codeVerifierEnc).toMatch(/^v2\./);
    const verifier = services.box.open(row!.codeVerifierEnc!, SEALED.codeVerifier.at(row!.id));
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(createHash("sha256").update(verifier).digest("hex")).toBe(q.get("code_challenge"));
    expect(res.text).not.toContain(verifier);
    expect(row).toMatchObject({ status: "pending", livemode: false, usageNote: "Connecting Acme Coffee", returnUrl: RETURN_URL });
  });

  it("builds an Instagram authorize URL with client_id and no PKCE", async () => {
    const res = await post({ platform: "instagram", returnUrl: RETURN_URL });
    expect(res.status).toBe(200);
    const url = new URL(res.body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe("http://layers.test/sandbox/instagram/oauth/authorize");
    expect(url.searchParams.get("client_id")).toBe("sandbox_instagram");
    expect(url.searchParams.has("client_key")).toBe(false);
    expect(url.searchParams.has("code_challenge")).toBe(false);
    expect(url.searchParams.get("scope")).toBe(
      "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments,instagram_business_manage_insights",
    );
    expect(url.searchParams.get("redirect_uri")).toBe("http://layers.test/v1/social/oauth/callback/instagram");
    expect(url.searchParams.get("state")).toBe(res.body.state);
  });

  it("always includes the basic scope with explicit scopes, without duplicates", async () => {
    const tiktok = await post({ platform: "tiktok", returnUrl: RETURN_URL, scopes: ["video.list", "video.list"] });
    expect(new URL(tiktok.body.authorizeUrl).searchParams.get("scope")).toBe("user.info.basic,video.list");
    const instagram = await post({ platform: "instagram", returnUrl: RETURN_URL, scopes: ["instagram_business_manage_messages"] });
    expect(new URL(instagram.body.authorizeUrl).searchParams.get("scope")).toBe("instagram_business_basic,instagram_business_manage_messages");
  });

  it("accepts a returnUrl that differs only by normalisation, and keeps its query", async () => {
    const res = await post({ platform: "tiktok", returnUrl: "HTTPS://App.Example.COM:443/connect/return?account=42&x=y" });
    expect(res.status).toBe(200);
    expect((await stateRow(res.body.state))?.returnUrl).toBe("https://app.example.com/connect/return?account=42&x=y");
    expect((await post({ platform: "tiktok", returnUrl: "http://localhost:4000/back" })).status).toBe(200);
  });

  it("creates a new unguessable state every time", async () => {
    const states = await Promise.all([1, 2, 3, 4].map(() => post({ platform: "tiktok", returnUrl: RETURN_URL })));
    expect(new Set(states.map((s) => s.body.state)).size).toBe(4);
  });
});

describe("POST oauth-url: errors", () => {
  it.each([
    ["bad JSON", "{not json", "(body)"],
    ["an empty body", "", "(body)"],
    ["a JSON array", "[]", "(body)"],
  ])("400 VALIDATION for %s", async (_name, rawBody, issuePath) => {
    const res = await request(api, "POST", path(tenant.projectId), { token: tenant.token, rawBody, headers: { "content-type": "application/json" } });
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues[0].path).toBe(issuePath);
  });

  it.each([
    ["an unknown platform", { platform: "youtube", returnUrl: RETURN_URL }, "platform"],
    ["a missing platform", { returnUrl: RETURN_URL }, "platform"],
    ["a missing returnUrl", { platform: "tiktok" }, "returnUrl"],
    ["a relative returnUrl", { platform: "tiktok", returnUrl: "/connect/return" }, "returnUrl"],
    ["a non-http returnUrl", { platform: "tiktok", returnUrl: "javascript:alert(1)" }, "returnUrl"],
    ["a returnUrl with a fragment", { platform: "tiktok", returnUrl: `${RETURN_URL}#done` }, "returnUrl"],
    ["another platform's scope", { platform: "tiktok", returnUrl: RETURN_URL, scopes: ["instagram_business_basic"] }, "scopes"],
    ["an unknown scope", { platform: "instagram", returnUrl: RETURN_URL, scopes: ["business_basic"] }, "scopes"],
    ["scopes that are not a list", { platform: "tiktok", returnUrl: RETURN_URL, scopes: "video.list" }, "scopes"],
    ["a usageNote over 500 characters", { platform: "tiktok", returnUrl: RETURN_URL, usageNote: "x".repeat(501) }, "usageNote"],
    ["an unknown field", { platform: "tiktok", returnUrl: RETURN_URL, redirectUrl: RETURN_URL }, "redirectUrl"],
  ])("400 VALIDATION for %s, naming the field", async (_name, body, field) => {
    const res = await post(body);
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues.length).toBeGreaterThan(0);
    if (field) expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    for (const issue of res.body.error.issues) expect(typeof issue.message).toBe("string");
  });

  it.each([
    ["returnURL", "returnUrl"],
    ["usage_note", "usageNote"],
    ["scope", "scopes"],
  ])("400 VALIDATION names the unknown field %s and suggests %s", async (typo, meant) => {
    const res = await post({ platform: "tiktok", returnUrl: RETURN_URL, [typo]: "x" });
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues).toEqual([{ path: typo, message: expect.stringContaining(`unknown field \`${typo}\` (did you mean \`${meant}\`?)`) }]);
  });

  it("400 VALIDATION lists several unknown fields in one issue, and says the body is not an object when it is not", async () => {
    const several = await post({ platform: "tiktok", returnURL: RETURN_URL, foo: 1 });
    expect(several.body.error.issues).toContainEqual({ path: "(body)", message: expect.stringMatching(/^unknown fields `returnURL` \(did you mean `returnUrl`\?\), `foo`; the fields are `platform`, `returnUrl`, `scopes`, `usageNote`$/) });
    const notObject = await request(api, "POST", path(tenant.projectId), { token: tenant.token, rawBody: "[]", headers: { "content-type": "application/json" } });
    expect(notObject.body.error.issues).toEqual([{ path: "(body)", message: "the body must be a JSON object" }]);
  });

  it("accepts a usageNote of exactly 500 characters", async () => {
    expect((await post({ platform: "tiktok", returnUrl: RETURN_URL, usageNote: "x".repeat(500) })).status).toBe(200);
  });

  it("400 VALIDATION for a malformed project id in the path", async () => {
    const res = await post({ platform: "tiktok", returnUrl: RETURN_URL }, { projectId: "not-a-project" });
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues[0].path).toBe("projectId");
  });

  it("404 NOT_FOUND for an unknown project and for another organization's project, with the same message", async () => {
    const other = await seedTenant(services);
    const unknownId = newId("prj");
    const unknown = await post({ platform: "tiktok", returnUrl: RETURN_URL }, { projectId: unknownId });
    const foreign = await post({ platform: "tiktok", returnUrl: RETURN_URL }, { projectId: other.projectId });
    expectError(unknown, 404, "NOT_FOUND");
    expectError(foreign, 404, "NOT_FOUND");
    expect(foreign.body.error.message.replace(other.projectId, "X")).toBe(unknown.body.error.message.replace(unknownId, "X"));
  });

  it("403 FORBIDDEN_SCOPE naming social:write for a read-only key", async () => {
    const readOnly = await addKey(services, tenant.orgId, { scopes: ["social:read"], allow: [RETURN_URL] });
    const res = await post({ platform: "tiktok", returnUrl: RETURN_URL }, { token: readOnly.token });
    expectError(res, 403, "FORBIDDEN_SCOPE");
    expect(res.body.error.message).toContain("social:write");
  });

  it.each([
    ["another host", "https://evil.example.com/connect/return"],
    ["userinfo that hides another host", "https://app.example.com@evil.example.com/connect/return"],
    ["userinfo on the allowed host", "https://attacker@app.example.com/connect/return"],
    ["a .. path that climbs out", "https://app.example.com/connect/return/../../admin"],
    ["an encoded .. path", "https://app.example.com/connect/%2e%2e/admin"],
    ["another port", "https://app.example.com:8443/connect/return"],
    ["another scheme", "http://app.example.com/connect/return"],
    ["a trailing slash", "https://app.example.com/connect/return/"],
    ["a different path case", "https://app.example.com/Connect/Return"],
    ["a longer path", "https://app.example.com/connect/return/more"],
    ["a subdomain", "https://evil.app.example.com/connect/return"],
    ["a host suffix", "https://app.example.com.evil.com/connect/return"],
  ])("403 RETURN_URL_NOT_ALLOWED for %s", async (_name, returnUrl) => {
    const res = await post({ platform: "tiktok", returnUrl });
    expectError(res, 403, "RETURN_URL_NOT_ALLOWED");
    expect(res.body.error.message).toContain("Add it via ladmin, then retry.");
    // A URL with a user name or password never matches: the message says so first.
    if (new URL(returnUrl).username) expect(res.body.error.message).toContain("A URL with a user name or password never matches an entry");
  });

  it.each([
    ["https://app.example.com/connect/return/", "https://app.example.com/connect/return", "only by a trailing slash"],
    ["https://app.example.com/Connect/Return", "https://app.example.com/connect/return", "only in letter case"],
    ["http://app.example.com/connect/return", "https://app.example.com/connect/return", "only in http against https"],
    ["http://127.0.0.1:4000/back", "http://localhost:4000/back", "only in localhost against 127.0.0.1"],
  ])("RETURN_URL_NOT_ALLOWED for %s names the entry it nearly is, and how to add it in ladmin or the console", async (returnUrl, entry, differs) => {
    const res = await post({ platform: "tiktok", returnUrl });
    expectError(res, 403, "RETURN_URL_NOT_ALLOWED");
    expect(res.body.error.message).toBe(
      `returnUrl ${returnUrl} is not in this API key's return URL allowlist. The allowlist has ${entry}, which differs ${differs}. ` +
        `Add it via ladmin, then retry. With ladmin: npx ladmin keys allowlist add ${tenant.keyId} ${returnUrl}; in the console: Keys, then Return URLs on this key's row.`,
    );
  });

  it("RETURN_URL_NOT_ALLOWED names no entry when none is a near miss", async () => {
    const res = await post({ platform: "tiktok", returnUrl: "https://app.example.com:8443/connect/return" });
    expect(res.body.error.message).toMatch(/^returnUrl https:\/\/app\.example\.com:8443\/connect\/return is not in this API key's return URL allowlist\. Add it via ladmin/);
  });

  it("503 PLATFORM_NOT_CONFIGURED for a live key when the platform has no credentials", async () => {
    const live = await addKey(services, tenant.orgId, { mode: "live", allow: [RETURN_URL] });
    for (const platform of ["tiktok", "instagram"]) {
      const res = await post({ platform, returnUrl: RETURN_URL }, { token: live.token });
      expectError(res, 503, "PLATFORM_NOT_CONFIGURED");
      expect(res.body.error.message).toMatch(platform === "tiktok" ? /TIKTOK_CLIENT_KEY/ : /INSTAGRAM_CLIENT_ID/);
    }
  });

  it("429 RATE_LIMITED with Retry-After once the key's write budget is spent", async () => {
    const limited = await addKey(services, tenant.orgId, { writeLimit: "2/60s", allow: [RETURN_URL] });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await post({ platform: "tiktok", returnUrl: RETURN_URL }, { token: limited.token }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(results.map((r) => r.headers.get("x-ratelimit-remaining"))).toEqual(["1", "0", "0"]);
    for (const r of results) expect(r.headers.get("x-ratelimit-limit")).toBe("2");
    const blocked = results[2]!;
    expectError(blocked, 429, "RATE_LIMITED");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(blocked.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe("POST oauth-url: precedence 401 > 403 scope > 429 > 404 > 400 > 403 returnUrl", () => {
  const badEverything = { platform: "myspace", returnUrl: "https://evil.example.com/x#y" };

  it("401 beats everything", async () => {
    const res = await request(api, "POST", path(newId("prj")), { body: badEverything });
    expectError(res, 401, "UNAUTHENTICATED");
  });

  it("403 FORBIDDEN_SCOPE beats 429, 404 and 400", async () => {
    const readOnly = await addKey(services, tenant.orgId, { scopes: ["social:read"], writeLimit: "1/60s" });
    await post(badEverything, { token: readOnly.token });
    const res = await post(badEverything, { token: readOnly.token, projectId: newId("prj") });
    expectError(res, 403, "FORBIDDEN_SCOPE");
  });

  it("429 beats 404 and 400", async () => {
    const limited = await addKey(services, tenant.orgId, { writeLimit: "1/60s" });
    await post({ platform: "tiktok", returnUrl: RETURN_URL }, { token: limited.token });
    const res = await post(badEverything, { token: limited.token, projectId: newId("prj") });
    expectError(res, 429, "RATE_LIMITED");
  });

  it("404 beats 400", async () => {
    const res = await request(api, "POST", path(newId("prj")), { token: tenant.token, rawBody: "{broken" });
    expectError(res, 404, "NOT_FOUND");
  });

  it("400 beats 403 RETURN_URL_NOT_ALLOWED", async () => {
    const res = await post({ platform: "tiktok", returnUrl: "https://evil.example.com/x", scopes: ["nope"] });
    expectError(res, 400, "VALIDATION");
  });

  it("403 RETURN_URL_NOT_ALLOWED beats 503 PLATFORM_NOT_CONFIGURED", async () => {
    const live = await addKey(services, tenant.orgId, { mode: "live", allow: [RETURN_URL] });
    const res = await post({ platform: "tiktok", returnUrl: "https://evil.example.com/x" }, { token: live.token });
    expectError(res, 403, "RETURN_URL_NOT_ALLOWED");
  });

  it("a failed request changes nothing", async () => {
    const res = await post({ platform: "tiktok", returnUrl: "https://evil.example.com/x" });
    expect(res.status).toBe(403);
    const rows = await services.database.db.select({ id: oauthStates.id }).from(oauthStates).where(eq(oauthStates.returnUrl, "https://evil.example.com/x"));
    expect(rows).toEqual([]);
  });
});

describe("POST oauth-url: Idempotency-Key", () => {
  const idem = (value: string) => ({ "idempotency-key": value });

  it("returns the same state and URL for the same key and body, storing one attempt", async () => {
    const key = `idem-${Math.random()}`;
    const body = { platform: "tiktok", returnUrl: RETURN_URL, usageNote: "once" };
    const first = await post(body, { headers: idem(key) });
    const second = await post({ usageNote: "once", returnUrl: RETURN_URL, platform: "tiktok" }, { headers: idem(key) });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const rows = await services.database.db.select().from(oauthStates).where(eq(oauthStates.usageNote, "once"));
    expect(rows.filter((r) => r.apiKeyId === tenant.keyId)).toHaveLength(1);
  });

  it("answers concurrent retries with one attempt", async () => {
    const key = `idem-${Math.random()}`;
    const body = { platform: "instagram", returnUrl: RETURN_URL };
    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => post(body, { headers: idem(key) })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(replies.map((r) => r.body.state)).size).toBe(1);
  });

  it("409 IDEMPOTENCY_CONFLICT when the key is reused with another body", async () => {
    const key = `idem-${Math.random()}`;
    expect((await post({ platform: "tiktok", returnUrl: RETURN_URL }, { headers: idem(key) })).status).toBe(200);
    const res = await post({ platform: "instagram", returnUrl: RETURN_URL }, { headers: idem(key) });
    expectError(res, 409, "IDEMPOTENCY_CONFLICT");
  });

  it("scopes idempotency keys to the API key", async () => {
    const other = await addKey(services, tenant.orgId, { allow: [RETURN_URL] });
    const key = `idem-${Math.random()}`;
    const body = { platform: "tiktok", returnUrl: RETURN_URL };
    const mine = await post(body, { headers: idem(key) });
    const theirs = await post(body, { headers: idem(key), token: other.token });
    expect(theirs.status).toBe(200);
    expect(theirs.body.state).not.toBe(mine.body.state);
  });

  it("does not store failures: a corrected retry with the same key succeeds", async () => {
    const key = `idem-${Math.random()}`;
    expect((await post({ platform: "tiktok", returnUrl: "https://evil.example.com/x" }, { headers: idem(key) })).status).toBe(403);
    expect((await post({ platform: "tiktok", returnUrl: RETURN_URL }, { headers: idem(key) })).status).toBe(200);
  });

  it("400 VALIDATION for an unusable Idempotency-Key", async () => {
    const res = await post({ platform: "tiktok", returnUrl: RETURN_URL }, { headers: idem("x".repeat(256)) });
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues[0].path).toBe("Idempotency-Key");
  });
});

describe("POST oauth-url: live keys with platform credentials", () => {
  let live: Services;
  beforeAll(async () => {
    live = deriveServices(services, {
        TIKTOK_CLIENT_KEY: "aw-client-key",
        TIKTOK_CLIENT_SECRET: "tt-secret",
        INSTAGRAM_CLIENT_ID: "990001",
        INSTAGRAM_CLIENT_SECRET: "ig-secret",
        LAYERS_PUBLIC_URL: "https://connect.example.com",
    });
    setServices(live);
  });
  afterAll(async () => {
    setServices(services);
  });

  it("points at the real platforms with the configured client ids and redirect_uri", async () => {
    const key = await addKey(live, tenant.orgId, { mode: "live", allow: [RETURN_URL] });
    const tiktok = await post({ platform: "tiktok", returnUrl: RETURN_URL }, { token: key.token });
    expect(tiktok.status).toBe(200);
    const t = new URL(tiktok.body.authorizeUrl);
    expect(`${t.origin}${t.pathname}`).toBe("https://www.tiktok.com/v2/auth/authorize/");
    expect(t.searchParams.get("client_key")).toBe("aw-client-key");
    expect(t.searchParams.get("redirect_uri")).toBe("https://connect.example.com/v1/social/oauth/callback/tiktok");
    const instagram = await post({ platform: "instagram", returnUrl: RETURN_URL }, { token: key.token });
    const i = new URL(instagram.body.authorizeUrl);
    expect(`${i.origin}${i.pathname}`).toBe("https://www.instagram.com/oauth/authorize");
    expect(i.searchParams.get("client_id")).toBe("990001");
    expect((await stateRow(instagram.body.state))?.livemode).toBe(true);
    expect(tiktok.text).not.toContain("tt-secret");
  });
});
