import { describe, expect, it } from "vitest";
import { fakePlatform, hang, networkDown, platformError, reply, type Reply, type Sent } from "@/test-support/fakePlatform";
import type { PlatformEndpoints } from "./config";
import { quoteNumbersUnderKeys, type Fetch } from "./http";
import { createPlatformAdapter } from "./index";
import { createInstagramAdapter } from "./instagram";
import { PlatformError, type PlatformAdapter } from "./types";

// ---- recorded responses (shapes as PLATFORMS.md shows them; its "..." placeholders filled in) ----
// Kept as raw text: an id above 2^53 must reach the adapter as the digits the platform sent.

const BIG_USER_ID = "17841405793187218123"; // > 2^53 (9007199254740992)
const SHORT_TOKEN_WRAPPED = `{"data":[{"access_token":"IGQWRshort-lived-1","user_id":"${BIG_USER_ID}","permissions":"instagram_business_basic,instagram_business_content_publish"}]}`;
const SHORT_TOKEN_FLAT = `{"access_token":"IGQWRshort-lived-1","user_id":${BIG_USER_ID},"permissions":["instagram_business_basic","instagram_business_content_publish"]}`;
const SHORT_TOKEN_ERROR = `{"error_type":"OAuthException","code":400,"error_message":"Matching code was not found or was already used"}`;
const LONG_TOKEN = `{"access_token":"IGAAlong-lived-1","token_type":"bearer","expires_in":5183944}`;
const LONG_TOKEN_REFRESHED = `{"access_token":"IGAAlong-lived-2","token_type":"bearer","expires_in":5184000}`;
const GRAPH_ERROR = `{"error":{"message":"Error validating access token: Session has expired.","type":"OAuthException","code":190,"error_subcode":460,"fbtrace_id":"AxYz0123abcDEF"}}`;
const ME_FLAT = `{"user_id":${BIG_USER_ID},"username":"ana.example","name":"Ana Example","account_type":"Business","profile_picture_url":"https://scontent.cdninstagram.com/ana.jpg","id":9007199254740993}`;
const ME_WRAPPED = `{"data":[{"user_id":"${BIG_USER_ID}","username":"ana.example","name":"Ana Example","account_type":"Media_Creator","profile_picture_url":"https://scontent.cdninstagram.com/ana.jpg","id":"9007199254740993"}]}`;
const ME_ID_ONLY = `{"id":${BIG_USER_ID},"username":"ana.example","account_type":"Business"}`;

// ---- the values we send; none may ever appear in an error ----

const CLIENT_ID = "990123456789012";
const CLIENT_SECRET = "ig-secret-c0ffee1234abcd";
const CODE = "AQBx-ig-auth-code_7Hq2";
const REDIRECT_URI = "http://localhost:3000/v1/social/oauth/callback/instagram";
const SHORT = "IGQWRshort-lived-1";
const LONG = "IGAAlong-lived-1";
const SECRETS = [CLIENT_SECRET, CODE, SHORT, LONG];

const BASE = "http://localhost:3000/sandbox/instagram";
const endpoints: PlatformEndpoints = {
  platform: "instagram",
  credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
  authorizeUrl: `${BASE}/oauth/authorize`,
  apiBaseUrl: `${BASE}/api`,
  graphBaseUrl: `${BASE}/graph`,
};
const NOW = Date.parse("2025-01-15T10:00:00.000Z");

function adapter(fetch: Fetch, extra: { timeoutMs?: number; now?: () => number } = {}): PlatformAdapter {
  return createInstagramAdapter({ endpoints, fetch, now: () => NOW, ...extra });
}

const exchange = (a: PlatformAdapter, code = CODE) => a.exchangeCode({ code, redirectUri: REDIRECT_URI });

function expectShortLivedRequest(sent: Sent, code = CODE) {
  expect(sent.method).toBe("POST");
  expect(sent.url.origin + sent.url.pathname).toBe(`${BASE}/api/oauth/access_token`);
  expect(sent.url.search).toBe("");
  expect(sent.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
  expect(sent.redirect).not.toBe("follow");
  const form = sent.form!;
  expect([...form.keys()].sort()).toEqual(["client_id", "client_secret", "code", "grant_type", "redirect_uri"]);
  expect(form.get("client_id")).toBe(CLIENT_ID);
  expect(form.get("client_secret")).toBe(CLIENT_SECRET);
  expect(form.get("grant_type")).toBe("authorization_code");
  expect(form.get("redirect_uri")).toBe(REDIRECT_URI);
  expect(form.get("code")).toBe(code);
}

function expectLongLivedRequest(sent: Sent) {
  expect(sent.method).toBe("GET");
  expect(sent.url.origin + sent.url.pathname).toBe(`${BASE}/graph/access_token`);
  expect(Object.fromEntries(sent.url.searchParams)).toEqual({ grant_type: "ig_exchange_token", client_secret: CLIENT_SECRET, access_token: SHORT });
  expect(sent.form).toBeNull();
}

// ---- tests ----

describe("Instagram adapter: code exchange", () => {
  it("swaps the code for a short-lived token, then for a long-lived one", async () => {
    const platform = fakePlatform(reply(200, SHORT_TOKEN_WRAPPED), reply(200, LONG_TOKEN));
    const tokens = await exchange(adapter(platform.fetch));

    expect(platform.sent).toHaveLength(2);
    expectShortLivedRequest(platform.sent[0]!);
    expectLongLivedRequest(platform.sent[1]!);
    expect(tokens).toEqual({
      accessToken: LONG,
      accessTokenExpiresAt: new Date(NOW + 5183944 * 1000),
      refreshToken: null,
      refreshTokenExpiresAt: null,
      grantedScopes: ["instagram_business_basic", "instagram_business_content_publish"],
      platformUserId: BIG_USER_ID,
    });
  });

  it("sends the code exactly once-encoded", async () => {
    const code = "C*x!y%z";
    const platform = fakePlatform(reply(200, SHORT_TOKEN_WRAPPED), reply(200, LONG_TOKEN));
    await exchange(adapter(platform.fetch), code);
    expectShortLivedRequest(platform.sent[0]!, code);
  });

  it("takes lifetimes from expires_in", async () => {
    const first = await exchange(adapter(fakePlatform(reply(200, SHORT_TOKEN_WRAPPED), reply(200, LONG_TOKEN)).fetch));
    const second = await exchange(
      adapter(fakePlatform(reply(200, SHORT_TOKEN_WRAPPED), reply(200, `{"access_token":"IGAAx","token_type":"bearer","expires_in":3600}`)).fetch),
    );
    expect(first.accessTokenExpiresAt).toEqual(new Date(NOW + 5183944 * 1000));
    expect(second.accessTokenExpiresAt).toEqual(new Date(NOW + 3600 * 1000));
  });
});

describe("Instagram adapter: quirks (PLATFORMS.md)", () => {
  it("quirk 4: Instagram two response shapes (wrapped in data[] and flat)", async () => {
    const wrapped = await exchange(adapter(fakePlatform(reply(200, SHORT_TOKEN_WRAPPED), reply(200, LONG_TOKEN)).fetch));
    const flat = await exchange(adapter(fakePlatform(reply(200, SHORT_TOKEN_FLAT), reply(200, LONG_TOKEN)).fetch));
    expect(flat).toEqual(wrapped);
    expect(flat.grantedScopes).toEqual(["instagram_business_basic", "instagram_business_content_publish"]);

    const meFlat = await adapter(fakePlatform(reply(200, ME_FLAT)).fetch).fetchProfile(LONG, ["instagram_business_basic"]);
    const meWrapped = await adapter(fakePlatform(reply(200, ME_WRAPPED)).fetch).fetchProfile(LONG, ["instagram_business_basic"]);
    expect(meFlat).toEqual({
      platformUserId: BIG_USER_ID,
      username: "ana.example",
      displayName: "Ana Example",
      avatarUrl: "https://scontent.cdninstagram.com/ana.jpg",
    });
    expect(meWrapped).toEqual(meFlat);
  });

  it("quirk 4: user_id above 2^53 kept exact (17841405793187218123)", async () => {
    expect(Number(BIG_USER_ID) > Number.MAX_SAFE_INTEGER).toBe(true);
    // The naive parse would have lost digits:
    expect(String((JSON.parse(SHORT_TOKEN_FLAT) as { user_id: number }).user_id)).not.toBe(BIG_USER_ID);

    const tokens = await exchange(adapter(fakePlatform(reply(200, SHORT_TOKEN_FLAT), reply(200, LONG_TOKEN)).fetch));
    expect(tokens.platformUserId).toBe(BIG_USER_ID);

    const profile = await adapter(fakePlatform(reply(200, ME_FLAT)).fetch).fetchProfile(LONG, []);
    expect(profile.platformUserId).toBe(BIG_USER_ID);

    // /me without user_id falls back to id, also exact.
    const idOnly = await adapter(fakePlatform(reply(200, ME_ID_ONLY)).fetch).fetchProfile(LONG, []);
    expect(idOnly.platformUserId).toBe(BIG_USER_ID);
    expect(idOnly.displayName).toBeNull();
  });

  it("quirk 4: only numbers under user_id / id are rewritten, never string contents", () => {
    const text = `{"note":"\\"user_id\\": 123 and \\"id\\":4","user_id" : 17841405793187218123,"nested":{"id":-12},"count":99,"ids":[1,2]}`;
    expect(JSON.parse(quoteNumbersUnderKeys(text, new Set(["user_id", "id"])))).toEqual({
      note: `"user_id": 123 and "id":4`,
      user_id: "17841405793187218123",
      nested: { id: "-12" },
      count: 99,
      ids: [1, 2],
    });
  });

  it("the `#_` suffix stripped from the code", async () => {
    for (const pasted of [`${CODE}#_`, `${CODE}#`, `${CODE}#_=_`]) {
      const platform = fakePlatform(reply(200, SHORT_TOKEN_WRAPPED), reply(200, LONG_TOKEN));
      await exchange(adapter(platform.fetch), pasted);
      expectShortLivedRequest(platform.sent[0]!, CODE);
    }
  });

  describe("quirk 5: every outbound call times out", () => {
    const ok = reply(200, SHORT_TOKEN_WRAPPED);
    const calls: [string, Reply[], (a: PlatformAdapter) => Promise<unknown>, PlatformError["code"]][] = [
      ["exchangeCode: short-lived token", [hang], (a) => exchange(a), "platform_error"],
      ["exchangeCode: long-lived token", [ok, hang], (a) => exchange(a), "platform_error"],
      ["fetchProfile", [hang], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
      ["refresh", [hang], (a) => a.refresh({ accessToken: LONG, refreshToken: null }), "platform_error"],
    ];
    it.each(calls)("%s", async (_name, replies, call, code) => {
      const error = await platformError(call(adapter(fakePlatform(...replies).fetch, { timeoutMs: 50 })));
      expect(error.code).toBe(code);
      expect(error.detail).toMatchObject({ reason: "timeout" });
    });
  });
});

/** Each failure and the layers_oauth_error code it must become (CONTRACT.md §3). */
const okShort = reply(200, SHORT_TOKEN_WRAPPED);
const FAILURES: [string, Reply[], (a: PlatformAdapter) => Promise<unknown>, PlatformError["code"]][] = [
  ["short-lived: OAuthException (HTTP 400)", [reply(400, SHORT_TOKEN_ERROR)], (a) => exchange(a), "token_exchange_failed"],
  ["short-lived: OAuthException with HTTP 200", [reply(200, SHORT_TOKEN_ERROR)], (a) => exchange(a), "token_exchange_failed"],
  ["short-lived: graph-style error", [reply(400, GRAPH_ERROR)], (a) => exchange(a), "token_exchange_failed"],
  ["short-lived: HTTP 400 without an error body", [reply(400, "{}")], (a) => exchange(a), "token_exchange_failed"],
  ["short-lived: HTTP 500", [reply(500, `{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1}}`)], (a) => exchange(a), "platform_error"],
  ["short-lived: not JSON", [reply(200, "<html></html>", "text/html")], (a) => exchange(a), "platform_error"],
  ["short-lived: no access_token", [reply(200, `{"data":[]}`)], (a) => exchange(a), "platform_error"],
  ["short-lived: a redirect (not followed)", [reply(302, "")], (a) => exchange(a), "platform_error"],
  ["short-lived: network down", [networkDown], (a) => exchange(a), "platform_error"],
  ["long-lived: graph error 190", [okShort, reply(400, GRAPH_ERROR)], (a) => exchange(a), "token_exchange_failed"],
  ["long-lived: graph error with HTTP 200", [okShort, reply(200, GRAPH_ERROR)], (a) => exchange(a), "token_exchange_failed"],
  ["long-lived: HTTP 503", [okShort, reply(503, "down", "text/plain")], (a) => exchange(a), "platform_error"],
  ["long-lived: network down", [okShort, networkDown], (a) => exchange(a), "platform_error"],
  ["profile: graph error 190", [reply(400, GRAPH_ERROR)], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["profile: graph error with HTTP 200", [reply(200, GRAPH_ERROR)], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["profile: throttled (code 4, HTTP 429)", [reply(429, `{"error":{"message":"Application request limit reached","type":"OAuthException","code":4}}`)], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["profile: HTTP 500", [reply(500, "oops", "text/plain")], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["profile: not JSON", [reply(200, "{")], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["profile: no user id", [reply(200, `{"username":"ana"}`)], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["profile: network down", [networkDown], (a) => a.fetchProfile(LONG, []), "profile_fetch_failed"],
  ["refresh: graph error 190", [reply(400, GRAPH_ERROR)], (a) => a.refresh({ accessToken: LONG, refreshToken: null }), "token_exchange_failed"],
  ["refresh: HTTP 500", [reply(500, "{}")], (a) => a.refresh({ accessToken: LONG, refreshToken: null }), "platform_error"],
];

describe("Instagram adapter: each failure maps to the right layers_oauth_error code", () => {
  it.each(FAILURES)("%s", async (_name, replies, call, code) => {
    const error = await platformError(call(adapter(fakePlatform(...replies).fetch)));
    expect(error.code).toBe(code);
  });
});

describe("Instagram adapter: no token or secret in any PlatformError", () => {
  it("scrubs every value we sent, even when the platform or the network echoes it", async () => {
    const echo: Reply = (sent) =>
      new Response(
        JSON.stringify({
          error: { message: `Invalid request ${sent.url.toString()} ${sent.form?.toString() ?? ""}`, type: "OAuthException", code: 190, fbtrace_id: "x" },
        }),
        { status: 400 },
      );
    const scenarios: [Reply[], (a: PlatformAdapter) => Promise<unknown>][] = [
      ...FAILURES.map(([, replies, call]) => [replies, call] as [Reply[], (a: PlatformAdapter) => Promise<unknown>]),
      [[echo], (a) => exchange(a)],
      [[okShort, echo], (a) => exchange(a)],
      [[echo], (a) => a.fetchProfile(LONG, [])],
      [[echo], (a) => a.refresh({ accessToken: LONG, refreshToken: null })],
      [[okShort, hang], (a) => exchange(a)],
    ];
    for (const [replies, call] of scenarios) {
      const error = await platformError(call(adapter(fakePlatform(...replies).fetch, { timeoutMs: 50 })));
      const visible = `${error.message} ${JSON.stringify(error.detail)} ${String(error.stack)}`;
      for (const secret of SECRETS) {
        expect(visible).not.toContain(secret);
        expect(visible).not.toContain(encodeURIComponent(secret));
      }
    }
  });
});

describe("Instagram adapter: profile, refresh and revoke", () => {
  it("asks /me for the documented fields with the token in the query", async () => {
    const platform = fakePlatform(reply(200, ME_FLAT));
    await adapter(platform.fetch).fetchProfile(LONG, ["instagram_business_basic"]);
    const [sent] = platform.sent;
    expect(sent!.method).toBe("GET");
    expect(sent!.url.origin + sent!.url.pathname).toBe(`${BASE}/graph/me`);
    expect(Object.fromEntries(sent!.url.searchParams)).toEqual({
      fields: "user_id,username,name,account_type,profile_picture_url",
      access_token: LONG,
    });
    expect(sent!.redirect).not.toBe("follow");
  });

  it("refreshes the long-lived token with ig_refresh_token", async () => {
    const platform = fakePlatform(reply(200, LONG_TOKEN_REFRESHED));
    const tokens = await adapter(platform.fetch).refresh({ accessToken: LONG, refreshToken: null });
    const [sent] = platform.sent;
    expect(sent!.method).toBe("GET");
    expect(sent!.url.origin + sent!.url.pathname).toBe(`${BASE}/graph/refresh_access_token`);
    expect(Object.fromEntries(sent!.url.searchParams)).toEqual({ grant_type: "ig_refresh_token", access_token: LONG });
    expect(tokens).toEqual({
      accessToken: "IGAAlong-lived-2",
      accessTokenExpiresAt: new Date(NOW + 5184000 * 1000),
      refreshToken: null,
      refreshTokenExpiresAt: null,
      grantedScopes: null,
      platformUserId: null,
    });
  });

  const graphError = (code: number, subcode?: number) =>
    JSON.stringify({ error: { message: "refused", type: "OAuthException", code, ...(subcode && { error_subcode: subcode }), fbtrace_id: "AxYz" } });

  it.each([
    [190, 463, "refresh_token_expired"],
    [190, 458, "token_revoked"],
    [190, 460, "token_revoked"],
    [190, 467, "token_revoked"],
    [190, undefined, "token_revoked"],
    [190, 459, "refresh_failed"],
    [10, undefined, "permission_removed"],
    [200, undefined, "permission_removed"],
    [299, undefined, "permission_removed"],
  ] as const)("a refresh refused with Graph error %s/%s is for good: %s", async (code, subcode, reason) => {
    const error = await platformError(adapter(fakePlatform(reply(400, graphError(code, subcode))).fetch).refresh({ accessToken: LONG, refreshToken: null }));
    expect(error.reauth).toBe(reason);
  });

  it.each([4, 17, 32, 613, 1, 2, 100])("a refresh refused with Graph error %s may pass: not for good", async (code) => {
    const error = await platformError(adapter(fakePlatform(reply(400, graphError(code))).fetch).refresh({ accessToken: LONG, refreshToken: null }));
    expect(error.reauth).toBeUndefined();
  });

  it("a 5xx, a 429 or a timeout on refresh may pass", async () => {
    for (const answer of [reply(500, "{}"), reply(429, "{}"), hang]) {
      const error = await platformError(adapter(fakePlatform(answer).fetch, { timeoutMs: 20 }).refresh({ accessToken: LONG, refreshToken: null }));
      expect(error.reauth).toBeUndefined();
    }
  });

  it("has no revoke call: returns false without a request", async () => {
    const platform = fakePlatform();
    await expect(adapter(platform.fetch).revoke(LONG)).resolves.toBe(false);
    expect(platform.sent).toHaveLength(0);
  });
});

describe("createPlatformAdapter", () => {
  it("chooses the Instagram adapter from endpoints.platform", () => {
    expect(createPlatformAdapter(endpoints).platform).toBe("instagram");
  });

  it("throws a plain Error when credentials are missing", () => {
    expect(() => createPlatformAdapter({ ...endpoints, credentials: undefined })).toThrow(/credentials/);
  });
});
