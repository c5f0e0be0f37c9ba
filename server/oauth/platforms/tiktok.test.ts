import { describe, expect, it } from "vitest";
import { fakePlatform, hang, networkDown, platformError, reply, type Reply, type Sent } from "@/test-support/fakePlatform";
import type { PlatformEndpoints } from "./config";
import type { Fetch } from "./http";
import { createPlatformAdapter } from "./index";
import { createTikTokAdapter } from "./tiktok";
import { PlatformError, type PlatformAdapter } from "./types";

// ---- recorded responses (bodies as PLATFORMS.md shows them; its "..." placeholders filled in) ----

const TOKEN_OK = `{"access_token":"act.x","expires_in":86400,"open_id":"_000Qq1dhc1s2xyXbz","refresh_expires_in":31536000,
 "refresh_token":"rft.x","scope":"user.info.basic,video.list","token_type":"Bearer"}`;
const TOKEN_OK_NEWER_LIFETIMES = `{"access_token":"act.y","expires_in":7200,"open_id":"_000Qq1dhc1s2xyXbz","refresh_expires_in":15552000,
 "refresh_token":"rft.y","scope":"user.info.basic,user.info.profile,video.list","token_type":"Bearer"}`;
const TOKEN_ERROR = `{"error":"invalid_request","error_description":"Authorization code is expired.","log_id":"202406011200000A1B2C3D4E5F6"}`;
const TOKEN_INVALID_GRANT = `{"error":"invalid_grant","error_description":"Authorization code is invalid.","log_id":"202406011200000A1B2C3D4E5F7"}`;
const USER_INFO_OK = `{"data":{"user":{"open_id":"_000Qq1dhc1s2xyXbz","union_id":"c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1","avatar_url":"https://p16.tiktokcdn.com/avatar.jpeg","display_name":"Ana Example","username":"ana.example"}},"error":{"code":"ok","message":"","log_id":"20240601120000B1C2D3"}}`;
const USER_INFO_BASIC_OK = `{"data":{"user":{"open_id":"_000Qq1dhc1s2xyXbz","union_id":"c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1","avatar_url":"https://p16.tiktokcdn.com/avatar.jpeg","display_name":"Ana Example"}},"error":{"code":"ok","message":"","log_id":"20240601120000B1C2D4"}}`;
const userInfoError = (code: string, message: string) =>
  `{"data":{},"error":{"code":"${code}","message":"${message}","log_id":"20240601120000E1E2E3"}}`;

// ---- the values we send; none may ever appear in an error ----

const CLIENT_KEY = "awx7tt9clientkey";
const CLIENT_SECRET = "tt-secret-5f1c9a0e7b";
const CODE = "ZmQxM2Q4-authcode-77a1";
const VERIFIER = "Vq3r8Jc2yX0aLd7Gm5Tz1Hk4Wn6Pb9Ef2Su8Ro3Ci0Yx5Mv";
const REDIRECT_URI = "http://localhost:3000/v1/social/oauth/callback/tiktok";
const ACCESS_TOKEN = "act.live-access-3b1e0d";
const REFRESH_TOKEN = "rft.live-refresh-8c2a4f";
const SECRETS = [CLIENT_SECRET, CODE, VERIFIER, ACCESS_TOKEN, REFRESH_TOKEN];

const BASE = "http://localhost:3000/sandbox/tiktok";
const endpoints: PlatformEndpoints = {
  platform: "tiktok",
  credentials: { clientId: CLIENT_KEY, clientSecret: CLIENT_SECRET },
  authorizeUrl: `${BASE}/v2/auth/authorize/`,
  apiBaseUrl: BASE,
};
const NOW = Date.parse("2025-01-15T10:00:00.000Z");

function adapter(fetch: Fetch, extra: { timeoutMs?: number; now?: () => number } = {}): PlatformAdapter {
  return createTikTokAdapter({ endpoints, fetch, now: () => NOW, ...extra });
}

function expectForm(sent: Sent, expected: Record<string, string>) {
  expect(sent.method).toBe("POST");
  expect(sent.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
  expect(sent.form).not.toBeNull();
  expect([...sent.form!.keys()].sort()).toEqual(Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) expect(sent.form!.getAll(name)).toEqual([value]);
}

const exchange = (a: PlatformAdapter, code = CODE) => a.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: VERIFIER });

// ---- tests ----

describe("TikTok adapter: code exchange", () => {
  it("posts the documented form to /v2/oauth/token/ and maps the reply to a TokenSet", async () => {
    const platform = fakePlatform(reply(200, TOKEN_OK));
    const tokens = await exchange(adapter(platform.fetch));

    expect(platform.sent).toHaveLength(1);
    const [sent] = platform.sent;
    expect(sent!.url.origin + sent!.url.pathname).toBe(`${BASE}/v2/oauth/token/`);
    expect(sent!.url.search).toBe("");
    expect(sent!.redirect).not.toBe("follow");
    expectForm(sent!, {
      client_key: CLIENT_KEY,
      client_secret: CLIENT_SECRET,
      code: CODE,
      grant_type: "authorization_code",
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
    });
    expect(sent!.form!.has("client_id")).toBe(false);

    expect(tokens).toEqual({
      accessToken: "act.x",
      accessTokenExpiresAt: new Date(NOW + 86400 * 1000),
      refreshToken: "rft.x",
      refreshTokenExpiresAt: new Date(NOW + 31536000 * 1000),
      grantedScopes: ["user.info.basic", "video.list"],
      platformUserId: "_000Qq1dhc1s2xyXbz",
    });
  });

  it("sends the code exactly once-encoded: the form decodes to the code as received", async () => {
    for (const code of ["C*x!y%z", "abc%2Fdef+g h", "ZmQ~x.y_z-"]) {
      const platform = fakePlatform(reply(200, TOKEN_OK));
      await exchange(adapter(platform.fetch), code);
      expect(platform.sent[0]!.form!.get("code")).toBe(code);
    }
  });

  it("takes lifetimes from expires_in and refresh_expires_in, never a constant", async () => {
    const older = await exchange(adapter(fakePlatform(reply(200, TOKEN_OK)).fetch));
    const newer = await exchange(adapter(fakePlatform(reply(200, TOKEN_OK_NEWER_LIFETIMES)).fetch));
    expect(older.accessTokenExpiresAt).toEqual(new Date(NOW + 24 * 3600 * 1000));
    expect(older.refreshTokenExpiresAt).toEqual(new Date(NOW + 365 * 24 * 3600 * 1000));
    expect(newer.accessTokenExpiresAt).toEqual(new Date(NOW + 2 * 3600 * 1000));
    expect(newer.refreshTokenExpiresAt).toEqual(new Date(NOW + 180 * 24 * 3600 * 1000));
    // ... and relative to the clock at the time of the reply.
    const later = await exchange(adapter(fakePlatform(reply(200, TOKEN_OK)).fetch, { now: () => NOW + 5000 }));
    expect(later.accessTokenExpiresAt).toEqual(new Date(NOW + 5000 + 86400 * 1000));
  });
});

describe("TikTok adapter: quirks (PLATFORMS.md)", () => {
  it("quirk 1: TikTok token errors with HTTP 200 are failures (token_exchange_failed)", async () => {
    const error = await platformError(exchange(adapter(fakePlatform(reply(200, TOKEN_ERROR)).fetch)));
    expect(error.code).toBe("token_exchange_failed");
    expect(error.detail).toMatchObject({ platformError: "invalid_request", status: 200 });

    const refresh = await platformError(
      adapter(fakePlatform(reply(200, TOKEN_INVALID_GRANT)).fetch).refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }),
    );
    expect(refresh.code).toBe("token_exchange_failed");
  });

  it('quirk 2: TikTok success bodies that contain error.code == "ok" are successes', async () => {
    const platform = fakePlatform(reply(200, USER_INFO_OK));
    const profile = await adapter(platform.fetch).fetchProfile(ACCESS_TOKEN, ["user.info.basic", "user.info.profile"]);
    expect(profile).toEqual({
      platformUserId: "_000Qq1dhc1s2xyXbz",
      username: "ana.example",
      displayName: "Ana Example",
      avatarUrl: "https://p16.tiktokcdn.com/avatar.jpeg",
    });
    const [sent] = platform.sent;
    expect(sent!.method).toBe("GET");
    expect(sent!.url.origin + sent!.url.pathname).toBe(`${BASE}/v2/user/info/`);
    expect(sent!.headers.get("authorization")).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(sent!.url.searchParams.get("fields")!.split(",")).toEqual(["open_id", "union_id", "avatar_url", "display_name", "username"]);
    expect([...sent!.url.searchParams.keys()]).toEqual(["fields"]);
  });

  it("quirk 3: `scopes` (callback) vs `scope` (token JSON); users can untick scopes", async () => {
    // The user unticked user.info.profile: the token JSON's `scope` says so...
    const tokens = await exchange(adapter(fakePlatform(reply(200, TOKEN_OK)).fetch));
    expect(tokens.grantedScopes).toEqual(["user.info.basic", "video.list"]);

    // ...and the profile call then asks only for fields the granted scopes cover.
    const platform = fakePlatform(reply(200, USER_INFO_BASIC_OK));
    const profile = await adapter(platform.fetch).fetchProfile(ACCESS_TOKEN, tokens.grantedScopes!);
    expect(platform.sent[0]!.url.searchParams.get("fields")).toBe("open_id,union_id,avatar_url,display_name");
    expect(profile.username).toBeNull();
    expect(profile.displayName).toBe("Ana Example");

    const withProfile = await exchange(adapter(fakePlatform(reply(200, TOKEN_OK_NEWER_LIFETIMES)).fetch));
    expect(withProfile.grantedScopes).toEqual(["user.info.basic", "user.info.profile", "video.list"]);
  });

  describe("quirk 5: every outbound call times out", () => {
    const calls: [string, (a: PlatformAdapter) => Promise<unknown>, PlatformError["code"]][] = [
      ["exchangeCode", (a) => exchange(a), "platform_error"],
      ["fetchProfile", (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]), "profile_fetch_failed"],
      ["refresh", (a) => a.refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }), "platform_error"],
      ["revoke", (a) => a.revoke(ACCESS_TOKEN), "platform_error"],
    ];
    it.each(calls)("%s", async (_name, call, code) => {
      const platform = fakePlatform(hang);
      const error = await platformError(call(adapter(platform.fetch, { timeoutMs: 50 })));
      expect(error.code).toBe(code);
      expect(error.detail).toMatchObject({ reason: "timeout" });
    });

    it("even when the fetch ignores the abort signal", async () => {
      const deaf: Fetch = () => new Promise(() => {});
      const error = await platformError(exchange(adapter(deaf, { timeoutMs: 50 })));
      expect(error.code).toBe("platform_error");
    });
  });
});

/** Each failure and the layers_oauth_error code it must become (CONTRACT.md §3). */
type Failure = [name: string, call: (a: PlatformAdapter) => Promise<unknown>, platformReply: Reply, code: PlatformError["code"]];
const FAILURES: Failure[] = [
  ["token: invalid_grant with HTTP 400", (a) => exchange(a), reply(400, TOKEN_INVALID_GRANT), "token_exchange_failed"],
  ["token: invalid_request with HTTP 200", (a) => exchange(a), reply(200, TOKEN_ERROR), "token_exchange_failed"],
  ["token: HTTP 401 without a body", (a) => exchange(a), reply(401, "{}"), "token_exchange_failed"],
  ["token: HTTP 500", (a) => exchange(a), reply(500, TOKEN_ERROR), "platform_error"],
  ["token: HTTP 503 HTML page", (a) => exchange(a), reply(503, "<html>down</html>", "text/html"), "platform_error"],
  ["token: HTTP 200 that is not JSON", (a) => exchange(a), reply(200, "<html>ok</html>", "text/html"), "platform_error"],
  ["token: HTTP 200 without access_token", (a) => exchange(a), reply(200, `{"open_id":"x"}`), "platform_error"],
  ["token: a redirect (not followed)", (a) => exchange(a), reply(302, ""), "platform_error"],
  ["token: network down", (a) => exchange(a), networkDown, "platform_error"],
  ...(
    [
      ["access_token_invalid", 401, "The access token is invalid or not found in the request."],
      ["scope_not_authorized", 401, "The user did not authorize the scope required for completing this request."],
      ["invalid_params", 400, "The request parameters are malformed."],
      ["rate_limit_exceeded", 429, "Your request is blocked due to exceeding the API rate limit."],
      ["internal_error", 500, "Something went wrong."],
    ] as const
  ).map(
    ([code, status, message]): Failure => [
      `user info: ${code} (${status})`,
      (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]),
      reply(status, userInfoError(code, message)),
      "profile_fetch_failed",
    ],
  ),
  ["user info: an error code with HTTP 200", (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]), reply(200, userInfoError("access_token_invalid", "x")), "profile_fetch_failed"],
  ["user info: HTTP 502 HTML", (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]), reply(502, "<html/>", "text/html"), "profile_fetch_failed"],
  ["user info: not JSON", (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]), reply(200, "{not json"), "profile_fetch_failed"],
  [
    "user info: no open_id",
    (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]),
    reply(200, `{"data":{"user":{"display_name":"Ana"}},"error":{"code":"ok","message":"","log_id":"1"}}`),
    "profile_fetch_failed",
  ],
  ["user info: network down", (a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]), networkDown, "profile_fetch_failed"],
  ["refresh: invalid_grant", (a) => a.refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }), reply(400, TOKEN_INVALID_GRANT), "token_exchange_failed"],
  ["refresh: HTTP 500", (a) => a.refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }), reply(500, "oops", "text/plain"), "platform_error"],
  ["revoke: error body", (a) => a.revoke(ACCESS_TOKEN), reply(200, TOKEN_ERROR), "platform_error"],
  ["revoke: HTTP 401", (a) => a.revoke(ACCESS_TOKEN), reply(401, TOKEN_INVALID_GRANT), "platform_error"],
  ["revoke: network down", (a) => a.revoke(ACCESS_TOKEN), networkDown, "platform_error"],
];

describe("TikTok adapter: each failure maps to the right layers_oauth_error code", () => {
  it.each(FAILURES)("%s", async (_name, call, platformReply, code) => {
    const error = await platformError(call(adapter(fakePlatform(platformReply).fetch)));
    expect(error.code).toBe(code);
  });
});

describe("TikTok adapter: no token or secret in any PlatformError", () => {
  it("scrubs every value we sent, even when the platform or the network echoes it", async () => {
    const echo: Reply = (sent) =>
      new Response(
        JSON.stringify({ error: "invalid_request", error_description: `bad request: ${sent.form?.toString() ?? ""} ${sent.headers.get("authorization") ?? ""}`, log_id: "1" }),
        { status: 400, headers: { "content-type": "application/json" } },
      );
    const echoingProfile: Reply = (sent) =>
      new Response(JSON.stringify({ data: {}, error: { code: "access_token_invalid", message: `bad token ${sent.headers.get("authorization")}`, log_id: "1" } }), {
        status: 401,
      });
    const scenarios: [(a: PlatformAdapter) => Promise<unknown>, Reply][] = [
      ...FAILURES.map(([, call, platformReply]) => [call, platformReply] as [(a: PlatformAdapter) => Promise<unknown>, Reply]),
      [(a) => exchange(a), echo],
      [(a) => a.refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }), echo],
      [(a) => a.revoke(ACCESS_TOKEN), echo],
      [(a) => a.fetchProfile(ACCESS_TOKEN, ["user.info.basic"]), echoingProfile],
      [(a) => exchange(a), hang],
    ];
    for (const [call, platformReply] of scenarios) {
      const error = await platformError(call(adapter(fakePlatform(platformReply).fetch, { timeoutMs: 50 })));
      const visible = `${error.message} ${JSON.stringify(error.detail)} ${String(error.stack)}`;
      for (const secret of SECRETS) expect(visible).not.toContain(secret);
      for (const secret of SECRETS) expect(visible).not.toContain(encodeURIComponent(secret));
    }
  });
});

describe("TikTok adapter: refresh and revoke", () => {
  it("refreshes with grant_type=refresh_token and returns the rotated refresh token", async () => {
    const platform = fakePlatform(reply(200, TOKEN_OK_NEWER_LIFETIMES));
    const tokens = await adapter(platform.fetch).refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN });
    const [sent] = platform.sent;
    expect(sent!.url.pathname).toBe("/sandbox/tiktok/v2/oauth/token/");
    expectForm(sent!, { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, grant_type: "refresh_token", refresh_token: REFRESH_TOKEN });
    expect(tokens.accessToken).toBe("act.y");
    expect(tokens.refreshToken).toBe("rft.y");
    expect(tokens.accessTokenExpiresAt).toEqual(new Date(NOW + 7200 * 1000));
  });

  it.each([
    [200, "invalid_grant", "token_revoked"],
    [400, "invalid_grant", "token_revoked"],
    [200, "access_denied", "token_revoked"],
    [401, "scope_not_authorized", "permission_removed"],
  ] as const)("a refresh refused with HTTP %s %s is for good: %s", async (status, error, reason) => {
    const body = JSON.stringify({ error, error_description: "refused", log_id: "202406011200000A1B2C3D4E5F7" });
    const refused = await platformError(adapter(fakePlatform(reply(status, body)).fetch).refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }));
    expect(refused.reauth).toBe(reason);
  });

  it("a refresh failing with invalid_client (the operator's credentials), a 5xx, a 429 or a timeout may pass", async () => {
    const invalidClient = reply(401, JSON.stringify({ error: "invalid_client", error_description: "Client key is invalid.", log_id: "x" }));
    for (const answer of [invalidClient, reply(500, "oops", "text/plain"), reply(429, "{}"), hang]) {
      const failed = await platformError(adapter(fakePlatform(answer).fetch, { timeoutMs: 20 }).refresh({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN }));
      expect(failed.reauth).toBeUndefined();
    }
  });

  it("refuses to refresh without a refresh token, without a request", async () => {
    const platform = fakePlatform();
    const error = await platformError(adapter(platform.fetch).refresh({ accessToken: ACCESS_TOKEN, refreshToken: null }));
    expect(error.code).toBe("token_exchange_failed");
    expect(platform.sent).toHaveLength(0);
  });

  it("revokes with client_key, client_secret and token at /v2/oauth/revoke/", async () => {
    const platform = fakePlatform(reply(200, `{}`));
    await expect(adapter(platform.fetch).revoke(ACCESS_TOKEN)).resolves.toBe(true);
    const [sent] = platform.sent;
    expect(sent!.url.origin + sent!.url.pathname).toBe(`${BASE}/v2/oauth/revoke/`);
    expectForm(sent!, { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, token: ACCESS_TOKEN });
  });

  it("treats an empty 200 as a successful revoke", async () => {
    await expect(adapter(fakePlatform(reply(200, "", "text/plain")).fetch).revoke(ACCESS_TOKEN)).resolves.toBe(true);
  });
});

describe("createPlatformAdapter", () => {
  it("chooses the TikTok adapter from endpoints.platform", () => {
    expect(createPlatformAdapter(endpoints).platform).toBe("tiktok");
  });

  it("throws a plain Error when credentials are missing", () => {
    expect(() => createPlatformAdapter({ ...endpoints, credentials: undefined })).toThrow(Error);
    expect(() => createPlatformAdapter({ ...endpoints, credentials: undefined })).not.toThrow(PlatformError);
  });
});
