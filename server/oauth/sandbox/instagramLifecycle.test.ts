import { eq } from "drizzle-orm";
import type { TestClock } from "pg-boss";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sandboxTokens } from "@/db/schema";
import type { TestApi } from "@/test-support/harness";
import { postForm, read, submitConsent, useSandbox } from "@/test-support/sandbox";
import type { Services } from "../../services";
import { redirectUri, sandboxCredentials } from "../platforms/config";
import { LIFETIME_FIELD } from "./lifetimes";
import { tokenHash } from "./store";

// An Instagram long-lived token's whole life, its time driven by the injected clock.

let services: Services;
let api: TestApi;
let clock: TestClock;
let client: { client_id: string; client_secret: string };
let t0: number;

const sandbox = useSandbox();
beforeAll(() => {
  ({ services, api, clock } = sandbox);
  const credentials = sandboxCredentials(services.config, "instagram");
  client = { client_id: credentials.clientId, client_secret: credentials.clientSecret };
});

beforeEach(() => void (t0 = sandbox.t0));

const SECOND = 1000;
const HOUR = 3_600 * SECOND;
const at = (ms: number) => clock.setTime(t0 + ms);

const graph = (path: string, query: Record<string, string>) => fetch(`${api.url}/sandbox/instagram/graph${path}?${new URLSearchParams(query)}`).then(read);
const refresh = (token: string) => graph("/refresh_access_token", { grant_type: "ig_refresh_token", access_token: token });
const me = (token: string) => graph("/me", { fields: "user_id,username", access_token: token });

/** Consents with a lifetime choice, then swaps the code for a short-lived and that for a long-lived token, all at t0. */
async function connect(lifetime?: string) {
  const { location } = await submitConsent(api, services, "instagram", { override: lifetime ? { [LIFETIME_FIELD]: lifetime } : {} });
  const code = new URL(location!).searchParams.get("code")!;
  const short = await postForm(api, "/sandbox/instagram/api/oauth/access_token", {
    ...client,
    grant_type: "authorization_code",
    redirect_uri: redirectUri(services.config, "instagram"),
    code,
  }).then(read);
  expect(short.status).toBe(200);
  const long = await graph("/access_token", { grant_type: "ig_exchange_token", client_secret: client.client_secret, access_token: short.body.access_token });
  expect(long.status).toBe(200);
  return { short: short.body.access_token as string, long: long.body as { access_token: string; token_type: string; expires_in: number } };
}

const expiresAt = async (token: string) =>
  (await services.database.db.select().from(sandboxTokens).where(eq(sandboxTokens.tokenHash, tokenHash(token))))[0]!.expiresAt.getTime();

describe("Instagram sandbox lifetimes, chosen on the consent page", () => {
  it.each([
    ["no choice (the form without the field)", undefined, 5_183_944, 3_600],
    ["platform: as Instagram (60 days)", "platform", 5_183_944, 3_600],
    ["one_hour", "one_hour", 3_600, 3_600],
    ["two_minutes", "two_minutes", 120, 120],
  ])("%s: the long-lived token's expires_in is %i, the short-lived token lives %i s", async (_name, preset, longS, shortS) => {
    const { short, long } = await connect(preset);
    expect(long).toEqual({ access_token: expect.stringMatching(/^IGAA/), token_type: "bearer", expires_in: longS });
    expect(await expiresAt(long.access_token)).toBe(t0 + longS * SECOND);
    expect(await expiresAt(short)).toBe(t0 + shortS * SECOND);
  });

  it("a refreshed token has the grant's lifetime too", async () => {
    const { long } = await connect();
    await at(24 * HOUR);
    const refreshed = await refresh(long.access_token);
    expect(refreshed.body).toMatchObject({ token_type: "bearer", expires_in: 5_183_944 });
    expect(await expiresAt(refreshed.body.access_token)).toBe(t0 + 24 * HOUR + 5_183_944 * SECOND);
  });

  it("an unknown preset, or TikTok's, is the 400 sandbox page", async () => {
    for (const lifetime of ["very_short", "60"]) {
      const { response, location } = await submitConsent(api, services, "instagram", { override: { [LIFETIME_FIELD]: lifetime } });
      expect(response.status).toBe(400);
      expect(location).toBeNull();
      expect(await response.text()).toContain("Token lifetime must be one of platform, one_hour, two_minutes");
    }
  });
});

describe("Instagram's 24-hour rule and expiry", () => {
  it("a long-lived token under 24 h old is refused with code 100 (not 190: the token is fine); at 24 h it refreshes", async () => {
    const { long } = await connect();
    await at(24 * HOUR - SECOND);
    const young = await refresh(long.access_token);
    expect(young.status).toBe(400);
    expect(Object.keys(young.body.error)).toEqual(["message", "type", "code", "fbtrace_id"]);
    expect(young.body.error).toMatchObject({ type: "OAuthException", code: 100, message: expect.stringMatching(/less than 24 hours old/) });
    // The refused attempt changed nothing: the token still works.
    expect((await me(long.access_token)).status).toBe(200);

    await at(24 * HOUR);
    const refreshed = await refresh(long.access_token);
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body)).toEqual(["access_token", "token_type", "expires_in"]);
    expect(refreshed.body.access_token).not.toBe(long.access_token);
    // The new token's own 24 h start now.
    expect((await refresh(refreshed.body.access_token)).body.error.code).toBe(100);
  });

  it("the old token stays valid until its own expiry, then answers 190/463 on /me and on refresh", async () => {
    const { long } = await connect();
    await at(2 * 24 * HOUR);
    const refreshed = await refresh(long.access_token);
    expect(refreshed.status).toBe(200);
    await at(5_183_944 * SECOND - SECOND);
    expect((await me(long.access_token)).status).toBe(200);
    await at(5_183_944 * SECOND);
    for (const reply of [await me(long.access_token), await refresh(long.access_token)]) {
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ type: "OAuthException", code: 190, error_subcode: 463, message: expect.stringMatching(/expired/) });
    }
    expect((await me(refreshed.body.access_token)).status).toBe(200);
  });

  it("a token whose lifetime is under a day can never be refreshed: code 100 while alive, 190/463 once expired", async () => {
    const { long } = await connect("one_hour");
    await at(HOUR - SECOND);
    expect((await refresh(long.access_token)).body.error).toMatchObject({ code: 100 });
    await at(HOUR);
    expect((await refresh(long.access_token)).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it("two minutes: the profile works for two minutes, then 190/463", async () => {
    const { long } = await connect("two_minutes");
    await at(119 * SECOND);
    expect((await me(long.access_token)).status).toBe(200);
    await at(120 * SECOND);
    expect((await me(long.access_token)).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });
});
