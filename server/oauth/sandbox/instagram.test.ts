import { eq } from "drizzle-orm";
import type { TestClock } from "pg-boss";
import { beforeAll, describe, expect, it } from "vitest";
import { sandboxTokens } from "@/db/schema";
import type { TestApi } from "@/test-support/harness";
import type { Services } from "../../services";
import { redirectUri, sandboxCredentials } from "../platforms/config";
import { tokenHash } from "./store";
import { type ConsentOptions, postForm, read, submitConsent, useSandbox } from "@/test-support/sandbox";

let services: Services;
let api: TestApi;
let clock: TestClock;
let client: { client_id: string; client_secret: string };
let redirect: string;

const sandbox = useSandbox();
beforeAll(() => {
  ({ services, api, clock } = sandbox);
  const credentials = sandboxCredentials(services.config, "instagram");
  client = { client_id: credentials.clientId, client_secret: credentials.clientSecret };
  redirect = redirectUri(services.config, "instagram");
});

const aDayLater = () => clock.setTime(Date.now() + 24 * 3_600_000);

const SHORT_LIVED = "/sandbox/instagram/api/oauth/access_token";
const GRAPH = "/sandbox/instagram/graph";
const TWO_POW_53 = 2n ** 53n;

async function instagramCode(opts: Omit<ConsentOptions, "decision"> = {}) {
  const { location } = await submitConsent(api, services, "instagram", opts);
  return new URL(location!).searchParams.get("code")!;
}

const exchange = (code: string, overrides: Record<string, string> = {}) =>
  postForm(api, SHORT_LIVED, { ...client, grant_type: "authorization_code", redirect_uri: redirect, code, ...overrides }).then(read);

const graph = (path: string, query: Record<string, string>) => fetch(`${api.url}${GRAPH}${path}?${new URLSearchParams(query)}`).then(read);

async function longLived(opts: Omit<ConsentOptions, "decision"> = {}) {
  const short = await exchange(await instagramCode(opts));
  const long = await graph("/access_token", { grant_type: "ig_exchange_token", client_secret: client.client_secret, access_token: short.body.access_token });
  expect(long.status).toBe(200);
  return { short, long: long.body.access_token as string };
}

/** user_id as the exact digits of the raw JSON text. */
const rawUserId = (text: string) => /"user_id":(\d+)[,}]/.exec(text)?.[1];

describe("Instagram sandbox consent", () => {
  it("Authorize answers 303 to redirect_uri?code=...&state=...#_", async () => {
    const { response, location, state } = await submitConsent(api, services, "instagram");
    expect(response.status).toBe(303);
    expect(location!.startsWith(`${redirect}?code=AQ`)).toBe(true);
    expect(location!.endsWith("#_")).toBe(true);
    const url = new URL(location!);
    expect(url.hash).toBe("#_");
    expect([...url.searchParams.keys()]).toEqual(["code", "state"]);
    expect(url.searchParams.get("state")).toBe(state);
  });

  it("Cancel answers 303 with error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request", async () => {
    const { response, location, state } = await submitConsent(api, services, "instagram", { decision: "cancel" });
    expect(response.status).toBe(303);
    expect(location).toBe(`${redirect}?error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request&state=${state}`);
  });

  it("codes live one hour", async () => {
    const code = await instagramCode();
    const [row] = await services.database.db.select().from(sandboxTokens).where(eq(sandboxTokens.tokenHash, tokenHash(code)));
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(3_600_000);
  });
});

describe("Instagram sandbox short-lived token", () => {
  it("answers the flat shape with user_id as a bare JSON number above 2^53", async () => {
    const code = await instagramCode({ untick: ["instagram_business_manage_insights"] });
    const reply = await exchange(code);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["access_token", "user_id", "permissions"]);
    expect(reply.body.permissions).toEqual(["instagram_business_basic", "instagram_business_content_publish", "instagram_business_manage_comments"]);
    const digits = rawUserId(reply.text);
    expect(digits).toMatch(/^1784140\d{13}$/);
    expect(BigInt(digits!) > TWO_POW_53).toBe(true);
    // The trap the adapters must avoid: plain JSON.parse loses digits.
    expect(String(reply.body.user_id)).not.toBe(digits);
  });

  it("accepts multipart/form-data as well as urlencoded", async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries({ ...client, grant_type: "authorization_code", redirect_uri: redirect, code: await instagramCode() })) {
      form.append(name, value);
    }
    const reply = await fetch(api.url + SHORT_LIVED, { method: "POST", body: form }).then(read);
    expect(reply.status).toBe(200);
    expect(reply.body.access_token).toMatch(/^IGAA/);
  });

  it("a code works once: the second exchange is the flat OAuthException (400)", async () => {
    const code = await instagramCode();
    expect((await exchange(code)).status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.text).toBe('{"error_type":"OAuthException","code":400,"error_message":"Matching code was not found or was already used"}');
  });

  it("refuses a different redirect_uri, a bad secret and a bad client id", async () => {
    const code = await instagramCode();
    const wrongRedirect = await exchange(code, { redirect_uri: "http://layers.test/elsewhere" });
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.body).toMatchObject({ error_type: "OAuthException", code: 400, error_message: expect.stringMatching(/redirect_uri/) });
    expect((await exchange(code, { client_secret: "nope" })).body.error_message).toBe("Error validating client secret.");
    expect((await exchange(code, { client_id: "sandbox_tiktok" })).status).toBe(400);
    // None of those burned the code.
    expect((await exchange(code)).status).toBe(200);
  });
});

describe("Instagram sandbox graph", () => {
  it("exchanges a short-lived token for a long-lived one: {access_token, token_type: bearer, expires_in: 5183944}", async () => {
    const short = await exchange(await instagramCode());
    const reply = await graph("/access_token", { grant_type: "ig_exchange_token", client_secret: client.client_secret, access_token: short.body.access_token });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["access_token", "token_type", "expires_in"]);
    expect(reply.body).toMatchObject({ token_type: "bearer", expires_in: 5183944 });
    expect(reply.body.access_token).not.toBe(short.body.access_token);
  });

  it("refreshes a long-lived token into a new one of the same shape; short-lived ones are refused", async () => {
    const { short, long } = await longLived();
    const fromShort = await graph("/refresh_access_token", { grant_type: "ig_refresh_token", access_token: short.body.access_token });
    expect(fromShort.status).toBe(400);
    expect(fromShort.body.error).toMatchObject({ type: "OAuthException", code: 100, message: expect.stringMatching(/long-lived/) });
    await aDayLater();
    const reply = await graph("/refresh_access_token", { grant_type: "ig_refresh_token", access_token: long });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["access_token", "token_type", "expires_in"]);
    expect(reply.body).toMatchObject({ token_type: "bearer", expires_in: 5183944 });
    expect(reply.body.access_token).not.toBe(long);
  });

  it("/me and /v23.0/me answer the profile flat, user_id as a string equal to the token's", async () => {
    const { short, long } = await longLived({ username: "Big.Id_Tester" });
    const fields = "user_id,username,name,account_type,profile_picture_url";
    for (const path of ["/me", "/v23.0/me"]) {
      const reply = await graph(path, { fields, access_token: long });
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.body)).toEqual(["user_id", "username", "name", "account_type", "profile_picture_url", "id"]);
      expect(reply.body).toMatchObject({ user_id: rawUserId(short.text), username: "big.id_tester", name: "Big Id Tester", account_type: "Business" });
      expect(typeof reply.body.user_id).toBe("string");
      expect(reply.text).toContain(`"user_id":"${rawUserId(short.text)}"`);
    }
  });

  it("the version prefix works for the token calls too", async () => {
    const { long } = await longLived();
    await aDayLater();
    expect((await graph("/v23.0/refresh_access_token", { grant_type: "ig_refresh_token", access_token: long })).status).toBe(200);
  });

  it("a bad token is the Graph error: code 190, subcode 460, HTTP 400", async () => {
    const reply = await graph("/me", { fields: "user_id,username", access_token: "IGAAnot-a-token" });
    expect(reply.status).toBe(400);
    expect(Object.keys(reply.body)).toEqual(["error"]);
    expect(Object.keys(reply.body.error)).toEqual(["message", "type", "code", "error_subcode", "fbtrace_id"]);
    expect(reply.body.error).toMatchObject({ type: "OAuthException", code: 190, error_subcode: 460 });
  });

  it("an expired token is code 190, subcode 463", async () => {
    const { long } = await longLived();
    await services.database.db.update(sandboxTokens).set({ expiresAt: new Date(clock.now() - 1000) }).where(eq(sandboxTokens.tokenHash, tokenHash(long)));
    expect((await graph("/me", { fields: "user_id", access_token: long })).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it("without instagram_business_basic the profile is a permission error", async () => {
    const { long } = await longLived({ untick: ["instagram_business_basic"] });
    const reply = await graph("/me", { fields: "user_id,username", access_token: long });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ type: "OAuthException", code: 10 });
  });

  it("unknown fields and paths are Graph errors", async () => {
    const { long } = await longLived();
    expect((await graph("/me", { fields: "user_id,shoe_size", access_token: long })).body.error.code).toBe(100);
    expect((await graph("/v23.0/you", { access_token: long })).status).toBe(400);
  });
});
