import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxTokens } from "@/db/schema";
import { startTestServices, type TestApi } from "@/test-support/harness";
import type { Services } from "../../services";
import { redirectUri, sandboxCredentials } from "../platforms/config";
import { tokenHash } from "./store";
import { postForm, read, startSandboxApi, submitConsent, tiktokCode } from "@/test-support/sandbox";

let services: Services;
let api: TestApi;
let client: { client_key: string; client_secret: string };
let redirect: string;

beforeAll(async () => {
  services = await startTestServices();
  api = await startSandboxApi();
  const credentials = sandboxCredentials(services.config, "tiktok");
  client = { client_key: credentials.clientId, client_secret: credentials.clientSecret };
  redirect = redirectUri(services.config, "tiktok");
});

afterAll(async () => {
  await api.close();
  await services.close();
});

const TOKEN = "/sandbox/tiktok/v2/oauth/token/";
const TOKEN_KEYS = ["access_token", "expires_in", "open_id", "refresh_expires_in", "refresh_token", "scope", "token_type"];
const ERROR_KEYS = ["error", "error_description", "log_id"];

const exchange = (code: string, verifier: string | undefined, overrides: Record<string, string> = {}) =>
  postForm(api, TOKEN, {
    ...client,
    code,
    grant_type: "authorization_code",
    redirect_uri: redirect,
    ...(verifier === undefined ? {} : { code_verifier: verifier }),
    ...overrides,
  }).then(read);

const userInfo = (accessToken: string, fields: string | null) =>
  fetch(`${api.url}/sandbox/tiktok/v2/user/info/${fields === null ? "" : `?fields=${fields}`}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  }).then(read);

async function connect(opts: Parameters<typeof tiktokCode>[2] = {}) {
  const { code, verifier } = await tiktokCode(api, services, opts);
  const reply = await exchange(code, verifier);
  expect(reply.status).toBe(200);
  return reply.body as Record<string, string | number>;
}

describe("TikTok sandbox consent", () => {
  it("Authorize answers 303 to redirect_uri?code=&scopes=&state=, the code encoded once", async () => {
    const { response, location, state } = await submitConsent(api, services, "tiktok");
    expect(response.status).toBe(303);
    expect(location!.startsWith(`${redirect}?code=`)).toBe(true);
    const url = new URL(location!);
    expect([...url.searchParams.keys()]).toEqual(["code", "scopes", "state"]);
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("scopes")).toBe("user.info.basic,user.info.profile,user.info.stats,video.list,video.upload,video.publish");
    // Like TikTok's: `*` and `!` in the code, percent-encoded in the Location.
    const code = url.searchParams.get("code")!;
    expect(code).toMatch(/^[A-Za-z0-9_-]+\*\d!\d{4}\.va$/);
    expect(location).toContain("%2A");
    expect(location).toContain("%21");
    expect(location).not.toMatch(/code=[^&]*[*!]/);
  });

  it("`scopes` lists only what is still ticked, including without the basic scope", async () => {
    const some = await submitConsent(api, services, "tiktok", { untick: ["user.info.stats", "video.publish"] });
    expect(new URL(some.location!).searchParams.get("scopes")).toBe("user.info.basic,user.info.profile,video.list,video.upload");
    const noBasic = await submitConsent(api, services, "tiktok", { untick: ["user.info.basic"] });
    expect(new URL(noBasic.location!).searchParams.get("scopes")).toBe("user.info.profile,user.info.stats,video.list,video.upload,video.publish");
  });

  it("Cancel answers 303 to redirect_uri?error=access_denied&error_description=...&state=...", async () => {
    const { response, location, state } = await submitConsent(api, services, "tiktok", { decision: "cancel" });
    expect(response.status).toBe(303);
    const url = new URL(location!);
    expect(url.origin + url.pathname).toBe(redirect);
    expect([...url.searchParams.keys()]).toEqual(["error", "error_description", "state"]);
    expect(url.searchParams.get("error")).toBe("access_denied");
    expect(url.searchParams.get("error_description")).toBeTruthy();
    expect(url.searchParams.get("state")).toBe(state);
  });

  it("stores codes by hash only", async () => {
    const { code } = await tiktokCode(api, services);
    const rows = await services.database.db.select().from(sandboxTokens).where(eq(sandboxTokens.tokenHash, tokenHash(code)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "code", platform: "tiktok", redirectUri: redirect });
    expect(JSON.stringify(rows[0])).not.toContain(code);
  });
});

describe("TikTok sandbox token endpoint", () => {
  it("exchanges a code for the exact PLATFORMS.md body", async () => {
    const { code, verifier } = await tiktokCode(api, services, { untick: ["video.publish"] });
    const reply = await exchange(code, verifier);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(reply.body)).toEqual(TOKEN_KEYS);
    expect(reply.body).toMatchObject({
      expires_in: 86400,
      refresh_expires_in: 31536000,
      scope: "user.info.basic,user.info.profile,user.info.stats,video.list,video.upload",
      token_type: "Bearer",
    });
    expect(reply.body.access_token).toMatch(/^act\./);
    expect(reply.body.refresh_token).toMatch(/^rft\./);
    expect(reply.body.open_id).toMatch(/^sbx_[0-9a-f]{32}$/);
  });

  it("a code works once; the second exchange is invalid_grant with HTTP 200", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    expect((await exchange(code, verifier)).status).toBe(200);
    const again = await exchange(code, verifier);
    expect(again.status).toBe(200);
    expect(Object.keys(again.body)).toEqual(ERROR_KEYS);
    expect(again.body.error).toBe("invalid_grant");
    expect(again.body.error_description).toMatch(/already been used/);
    expect(again.body.log_id).toMatch(/^\d{14}[0-9A-F]{20}$/);
  });

  it("two concurrent exchanges of one code: exactly one wins", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    const replies = await Promise.all([exchange(code, verifier), exchange(code, verifier), exchange(code, verifier)]);
    expect(replies.filter((r) => r.body.access_token).length).toBe(1);
    expect(replies.filter((r) => r.body.error === "invalid_grant").length).toBe(2);
  });

  it("a wrong or missing code_verifier is invalid_grant (HTTP 200) and does not burn the code", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    const wrong = await exchange(code, `${verifier.slice(0, -1)}${verifier.endsWith("x") ? "y" : "x"}`);
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/code_verifier/) });
    expect((await exchange(code, undefined)).body.error).toBe("invalid_grant");
    expect((await exchange(code, verifier)).body.access_token).toMatch(/^act\./);
  });

  it("a code_verifier for a code issued without code_challenge is invalid_grant (HTTP 200), and the code is not burnt", async () => {
    const { location } = await submitConsent(api, services, "tiktok"); // no verifier: the authorize request has no challenge
    const code = new URL(location!).searchParams.get("code")!;
    const refused = await exchange(code, "a".repeat(64));
    expect(refused.status).toBe(200);
    expect(Object.keys(refused.body)).toEqual(ERROR_KEYS);
    expect(refused.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/no code_challenge/) });
    expect((await exchange(code, undefined)).body.access_token).toMatch(/^act\./);
  });

  it("redirect_uri must be identical to the authorize one", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    const reply = await exchange(code, verifier, { redirect_uri: `${redirect}/` });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/redirect_uri/) });
  });

  it("an expired code is invalid_grant", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    await services.database.db
      .update(sandboxTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(sandboxTokens.tokenHash, tokenHash(code)));
    expect((await exchange(code, verifier)).body).toMatchObject({ error: "invalid_grant", error_description: "Authorization code is expired." });
  });

  it("codes live 10 minutes", async () => {
    const { code } = await tiktokCode(api, services);
    const [row] = await services.database.db.select().from(sandboxTokens).where(eq(sandboxTokens.tokenHash, tokenHash(code)));
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(10 * 60_000);
  });

  it("a bad client secret is invalid_client (HTTP 401); other errors keep HTTP 200", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    const badClient = await exchange(code, verifier, { client_secret: "nope" });
    expect(badClient.status).toBe(401);
    expect(Object.keys(badClient.body)).toEqual(ERROR_KEYS);
    expect(badClient.body.error).toBe("invalid_client");
    const badGrant = await exchange(code, verifier, { grant_type: "password" });
    expect(badGrant.status).toBe(200);
    expect(badGrant.body.error).toBe("unsupported_grant_type");
    const json = await fetch(api.url + TOKEN, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...client, code }) }).then(read);
    expect(json.status).toBe(200);
    expect(json.body.error).toBe("invalid_request");
  });

  it("refresh rotates the refresh token; the old one is then refused", async () => {
    const first = await connect();
    const refresh = (token: string) => postForm(api, TOKEN, { ...client, grant_type: "refresh_token", refresh_token: token }).then(read);
    const second = await refresh(first.refresh_token as string);
    expect(second.status).toBe(200);
    expect(Object.keys(second.body)).toEqual(TOKEN_KEYS);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.access_token).not.toBe(first.access_token);
    expect(second.body).toMatchObject({ open_id: first.open_id, scope: first.scope, token_type: "Bearer" });
    const reused = await refresh(first.refresh_token as string);
    expect(reused.status).toBe(200);
    expect(reused.body).toMatchObject({ error: "invalid_grant" });
    expect((await userInfo(second.body.access_token, "open_id")).status).toBe(200);
  });
});

describe("TikTok sandbox user info and revoke", () => {
  it("returns exactly the requested fields, with error.code ok", async () => {
    const tokens = await connect({ username: "Info_Tester" });
    const reply = await userInfo(tokens.access_token as string, "open_id,union_id,avatar_url,display_name,username");
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["data", "error"]);
    expect(Object.keys(reply.body.data.user)).toEqual(["open_id", "union_id", "avatar_url", "display_name", "username"]);
    expect(reply.body.data.user).toMatchObject({ open_id: tokens.open_id, display_name: "Info Tester", username: "info_tester" });
    expect(reply.body.error).toEqual({ code: "ok", message: "", log_id: expect.any(String) });
    const avatar = await fetch(api.url + new URL(reply.body.data.user.avatar_url).pathname);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("the same username is the same account; another is another", async () => {
    const a = await connect({ username: "same_person" });
    const b = await connect({ username: "same_person" });
    const c = await connect({ username: "other_person" });
    expect(a.open_id).toBe(b.open_id);
    expect(c.open_id).not.toBe(a.open_id);
  });

  it("scope_not_authorized (401) for username without user.info.profile", async () => {
    const tokens = await connect({ untick: ["user.info.profile"] });
    const reply = await userInfo(tokens.access_token as string, "open_id,username");
    expect(reply.status).toBe(401);
    expect(reply.body.error).toMatchObject({ code: "scope_not_authorized", log_id: expect.any(String) });
    expect((await userInfo(tokens.access_token as string, "open_id,display_name")).status).toBe(200);
    expect((await userInfo(tokens.access_token as string, "follower_count")).status).toBe(200);
  });

  it("scope_not_authorized for counts without user.info.stats", async () => {
    const tokens = await connect({ untick: ["user.info.stats"] });
    expect((await userInfo(tokens.access_token as string, "follower_count")).body.error.code).toBe("scope_not_authorized");
  });

  it("invalid_params (400) without fields or with an unknown field", async () => {
    const tokens = await connect();
    const missing = await userInfo(tokens.access_token as string, null);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("invalid_params");
    expect((await userInfo(tokens.access_token as string, "open_id,shoe_size")).body.error.code).toBe("invalid_params");
  });

  it("access_token_invalid (401) for a missing or unknown token", async () => {
    const unknown = await userInfo("act.nope", "open_id");
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe("access_token_invalid");
    const none = await fetch(`${api.url}/sandbox/tiktok/v2/user/info/?fields=open_id`).then(read);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("access_token_invalid");
  });

  it("revoke ends the authorization: user info says access_token_invalid, the refresh token is refused", async () => {
    const tokens = await connect();
    const revoked = await postForm(api, "/sandbox/tiktok/v2/oauth/revoke/", { ...client, token: tokens.access_token as string });
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe("");
    const info = await userInfo(tokens.access_token as string, "open_id");
    expect(info.status).toBe(401);
    expect(info.body.error.code).toBe("access_token_invalid");
    const refreshed = await postForm(api, TOKEN, { ...client, grant_type: "refresh_token", refresh_token: tokens.refresh_token as string }).then(read);
    expect(refreshed.body.error).toBe("invalid_grant");
  });

  it("revoke needs the client's credentials", async () => {
    const tokens = await connect();
    const reply = await postForm(api, "/sandbox/tiktok/v2/oauth/revoke/", { ...client, client_secret: "x", token: tokens.access_token as string }).then(read);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe("invalid_client");
    expect((await userInfo(tokens.access_token as string, "open_id")).status).toBe(200);
  });
});
