import type { TestClock } from "pg-boss";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestApi } from "@/test-support/harness";
import { postForm, read, submitConsent, tiktokCode, useSandbox } from "@/test-support/sandbox";
import type { RateLimiter } from "../../ratelimit";
import { type Services, setServices } from "../../services";
import { createPlatformAdapter } from "../platforms";
import { platformEndpoints, redirectUri, sandboxCredentials } from "../platforms/config";
import type { PlatformError } from "../platforms/types";
import { SANDBOX_MAX_BODY_BYTES } from "./http";

let services: Services;
let api: TestApi;
let clock: TestClock;
let t0: number;

const sandbox = useSandbox();
beforeAll(() => void ({ services, api, clock } = sandbox));

beforeEach(() => void (t0 = sandbox.t0));

afterEach(() => setServices(services));

const HOUR = 3_600_000;
const ORIGIN = () => new URL(services.config.publicUrl).origin;

/** Posts the consent page's revoke form as a browser on the sandbox's own page would. */
function revokeAccess(platform: "tiktok" | "instagram", username: string, headers: Record<string, string> = { origin: ORIGIN() }) {
  return fetch(`${api.url}/sandbox/${platform}/revoke-access`, { method: "POST", body: new URLSearchParams({ username }), headers, redirect: "manual" }).then(read);
}

/** A paragraph of the answer page, without its HTML escaping of apostrophes. */
const pageText = (html: string) => html.replace(/&#39;/g, "'");

/** Test-mode adapters, re-pointed from the public URL to the test server. */
function adapterFor(platform: "tiktok" | "instagram") {
  const endpoints = platformEndpoints(services.config, platform, false);
  const local = (url: string | undefined) => url && url.replace(services.config.publicUrl, api.url);
  return createPlatformAdapter({ ...endpoints, apiBaseUrl: local(endpoints.apiBaseUrl)!, graphBaseUrl: local(endpoints.graphBaseUrl) });
}

async function tiktokTokens(username: string) {
  const { code, verifier } = await tiktokCode(api, services, { username });
  return adapterFor("tiktok").exchangeCode({ code, redirectUri: redirectUri(services.config, "tiktok"), codeVerifier: verifier });
}

async function instagramTokens(username: string) {
  const { location } = await submitConsent(api, services, "instagram", { username });
  const code = new URL(location!).searchParams.get("code")!;
  return adapterFor("instagram").exchangeCode({ code, redirectUri: redirectUri(services.config, "instagram") });
}

const graph = (path: string, query: Record<string, string>) => fetch(`${api.url}/sandbox/instagram/graph${path}?${new URLSearchParams(query)}`).then(read);

describe("revoke access on the TikTok sandbox", () => {
  it("ends every grant of that user: refresh is invalid_grant (the adapter: token_revoked, for good), user info access_token_invalid", async () => {
    const first = await tiktokTokens("revoke_me_tt");
    const second = await tiktokTokens("revoke_me_tt");
    const bystander = await tiktokTokens("keep_me_tt");

    const page = await revokeAccess("tiktok", "Revoke_Me_TT");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(pageText(page.text)).toContain(
      "Access for @revoke_me_tt revoked: 2 grants. Layers will find out at its next refresh; the account then needs the end-customer (token_revoked).",
    );

    for (const tokens of [first, second]) {
      const credentials = sandboxCredentials(services.config, "tiktok");
      const refused = await postForm(api, "/sandbox/tiktok/v2/oauth/token/", {
        client_key: credentials.clientId,
        client_secret: credentials.clientSecret,
        grant_type: "refresh_token",
        refresh_token: tokens.refreshToken!,
      }).then(read);
      expect(refused.status).toBe(200);
      expect(refused.body).toEqual({ error: "invalid_grant", error_description: "Refresh token has been revoked.", log_id: expect.any(String) });
      const info = await fetch(`${api.url}/sandbox/tiktok/v2/user/info/?fields=open_id`, { headers: { authorization: `Bearer ${tokens.accessToken}` } }).then(read);
      expect(info.status).toBe(401);
      expect(info.body.error.code).toBe("access_token_invalid");
    }
    const error = (await adapterFor("tiktok").refresh(first).catch((e: unknown) => e)) as PlatformError;
    expect(error).toMatchObject({ name: "PlatformError", reauth: "token_revoked" });

    // Another user of the same app keeps their access.
    expect((await adapterFor("tiktok").refresh(bystander)).refreshToken).toMatch(/^rft\./);
  });

  it("a second revoke, or a username that never connected, finds nothing to revoke (200, not an error)", async () => {
    await tiktokTokens("revoke_twice");
    expect(pageText((await revokeAccess("tiktok", "revoke_twice")).text)).toContain("revoked: 1 grant.");
    for (const username of ["revoke_twice", "never_connected"]) {
      const page = await revokeAccess("tiktok", username);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Nothing to revoke for @${username}`);
      expect(page.text).toContain(`@${username} has no live grants to sandbox_tiktok: nothing was revoked.`);
    }
  });

  it("a code not yet exchanged is revoked too", async () => {
    const { code, verifier } = await tiktokCode(api, services, { username: "revoke_code" });
    expect(pageText((await revokeAccess("tiktok", "revoke_code")).text)).toContain("revoked: 1 grant.");
    const input = { code, redirectUri: redirectUri(services.config, "tiktok"), codeVerifier: verifier };
    await expect(adapterFor("tiktok").exchangeCode(input)).rejects.toMatchObject({ code: "token_exchange_failed" });
  });
});

describe("revoke access on the Instagram sandbox", () => {
  it("refresh and /me answer 190/458; the adapter calls it token_revoked, for good", async () => {
    const tokens = await instagramTokens("revoke_me_ig");
    const page = await revokeAccess("instagram", "revoke_me_ig");
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain("Access for @revoke_me_ig revoked: 1 grant.");
    expect(pageText(page.text)).toContain("subcode 458");

    await clock.setTime(t0 + 24 * HOUR);
    const refused = await graph("/refresh_access_token", { grant_type: "ig_refresh_token", access_token: tokens.accessToken });
    const profile = await graph("/me", { fields: "user_id", access_token: tokens.accessToken });
    for (const reply of [refused, profile]) {
      expect(reply.status).toBe(400);
      expect(Object.keys(reply.body.error)).toEqual(["message", "type", "code", "error_subcode", "fbtrace_id"]);
      expect(reply.body.error).toMatchObject({ type: "OAuthException", code: 190, error_subcode: 458 });
    }
    const error = (await adapterFor("instagram").refresh(tokens).catch((e: unknown) => e)) as PlatformError;
    expect(error).toMatchObject({ name: "PlatformError", reauth: "token_revoked" });
  });

  it("a token that had already expired keeps saying so (463): it died first", async () => {
    const { location } = await submitConsent(api, services, "instagram", { username: "expired_first", override: { token_lifetime: "two_minutes" } });
    const code = new URL(location!).searchParams.get("code")!;
    const tokens = await adapterFor("instagram").exchangeCode({ code, redirectUri: redirectUri(services.config, "instagram") });
    await clock.setTime(t0 + 3 * 60_000);
    expect((await revokeAccess("instagram", "expired_first")).text).toContain("Nothing to revoke for @expired_first");
    expect((await graph("/me", { fields: "user_id", access_token: tokens.accessToken })).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });
});

describe("the revoke form's guards", () => {
  it("refuses a cross-origin post (403) and revokes nothing", async () => {
    const tokens = await tiktokTokens("csrf_target");
    const crossSite: Array<Record<string, string>> = [{ origin: "https://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }];
    for (const headers of crossSite) {
      const refused = await revokeAccess("tiktok", "csrf_target", headers);
      expect(refused.status).toBe(403);
      expect(refused.text).toContain("Request refused");
      expect(refused.text).toContain("Nothing was revoked");
    }
    expect((await revokeAccess("instagram", "csrf_target", { origin: "https://evil.example" })).status).toBe(403);
    expect((await adapterFor("tiktok").refresh(tokens)).refreshToken).toMatch(/^rft\./);
  });

  it("refuses an invalid, missing or repeated username (400)", async () => {
    expect((await revokeAccess("tiktok", "no spaces!")).status).toBe(400);
    const headers = { origin: ORIGIN() };
    const missing = await fetch(`${api.url}/sandbox/tiktok/revoke-access`, { method: "POST", body: new URLSearchParams({}), headers }).then(read);
    expect(missing.status).toBe(400);
    const twice = new URLSearchParams([["username", "a_user"], ["username", "b_user"]]);
    expect((await fetch(`${api.url}/sandbox/instagram/revoke-access`, { method: "POST", body: twice, headers })).status).toBe(400);
    const json = await fetch(`${api.url}/sandbox/tiktok/revoke-access`, { method: "POST", body: '{"username":"x"}', headers: { ...headers, "content-type": "application/json" } });
    expect(json.status).toBe(400);
  });

  it(`caps the body at ${SANDBOX_MAX_BODY_BYTES / 1024} KiB (413 page)`, async () => {
    const reply = await revokeAccess("tiktok", "a".repeat(SANDBOX_MAX_BODY_BYTES));
    expect(reply.status).toBe(413);
    expect(reply.headers.get("content-type")).toMatch(/^text\/html/);
    expect(reply.text).toContain("too large");
  });

  it("is rate limited per address like the other sandbox routes (429 page with Retry-After)", async () => {
    const exhausted: RateLimiter = {
      ...services.limiter,
      limit: async (_id, budget) => ({ success: false, limit: budget.tokens, remaining: 0, resetMs: Date.now() + 30_000 }),
    };
    setServices({ ...services, limiter: exhausted });
    const reply = await revokeAccess("instagram", "anyone");
    expect(reply.status).toBe(429);
    expect(reply.text).toContain("Too many requests");
    expect(Number(reply.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
