import type { TestClock } from "pg-boss";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestApi } from "@/test-support/harness";
import { authorizeParams, postForm, read, submitConsent, tiktokCode, useSandbox } from "@/test-support/sandbox";
import type { Services } from "../../services";
import { redirectUri, sandboxCredentials } from "../platforms/config";
import { LIFETIME_FIELD } from "./lifetimes";

// A TikTok authorization's whole life, its time driven by the injected clock.

let services: Services;
let api: TestApi;
let clock: TestClock;
let client: { client_key: string; client_secret: string };
let t0: number;

const sandbox = useSandbox();
beforeAll(() => {
  ({ services, api, clock } = sandbox);
  const credentials = sandboxCredentials(services.config, "tiktok");
  client = { client_key: credentials.clientId, client_secret: credentials.clientSecret };
});

beforeEach(() => void (t0 = sandbox.t0));

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const TOKEN = "/sandbox/tiktok/v2/oauth/token/";
const at = (ms: number) => clock.setTime(t0 + ms);

/** Consents with a lifetime choice (none: the form without the field) and exchanges the code at t0. */
async function connect(lifetime?: string, username = "lifecycle_tester") {
  const { code, verifier } = await tiktokCode(api, services, { username, override: lifetime ? { [LIFETIME_FIELD]: lifetime } : {} });
  const reply = await postForm(api, TOKEN, {
    ...client,
    code,
    code_verifier: verifier,
    grant_type: "authorization_code",
    redirect_uri: redirectUri(services.config, "tiktok"),
  }).then(read);
  expect(reply.status).toBe(200);
  return reply.body as { access_token: string; refresh_token: string; expires_in: number; refresh_expires_in: number };
}

const refresh = (token: string) => postForm(api, TOKEN, { ...client, grant_type: "refresh_token", refresh_token: token }).then(read);

const userInfo = (accessToken: string) =>
  fetch(`${api.url}/sandbox/tiktok/v2/user/info/?fields=open_id`, { headers: { authorization: `Bearer ${accessToken}` } }).then(read);

describe("TikTok sandbox lifetimes, chosen on the consent page", () => {
  it.each([
    ["no choice (the form without the field)", undefined, 86_400, 31_536_000],
    ["platform: as TikTok documents it", "platform", 86_400, 31_536_000],
    ["newer_docs: 2 h / 180 days", "newer_docs", 7_200, 15_552_000],
    ["short: 1 minute / 1 hour", "short", 60, 3_600],
    ["very_short: 1 minute / 5 minutes", "very_short", 60, 300],
  ])("%s: expires_in %i, refresh_expires_in %i, and a refresh keeps the lifetimes", async (_name, preset, accessS, refreshS) => {
    const tokens = await connect(preset);
    expect(tokens).toMatchObject({ expires_in: accessS, refresh_expires_in: refreshS });

    await at(30 * SECOND);
    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body)).toEqual(["access_token", "expires_in", "open_id", "refresh_expires_in", "refresh_token", "scope", "token_type"]);
    expect(refreshed.body).toMatchObject({ expires_in: accessS, refresh_expires_in: refreshS - 30 });
  });

  it("the access token lives exactly its expires_in", async () => {
    const tokens = await connect("very_short");
    await at(59 * SECOND);
    expect((await userInfo(tokens.access_token)).status).toBe(200);
    await at(60 * SECOND);
    const expired = await userInfo(tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: "access_token_invalid", message: "The access token has expired." });
  });

  it("rotation does not renew the refresh deadline: each refresh_expires_in is what is left, and past the deadline refresh is invalid_grant", async () => {
    const tokens = await connect("very_short");
    let refreshToken = tokens.refresh_token;
    for (const elapsedS of [50, 100, 299]) {
      await at(elapsedS * SECOND);
      const reply = await refresh(refreshToken);
      expect(reply.body).toMatchObject({ expires_in: 60, refresh_expires_in: 300 - elapsedS });
      refreshToken = reply.body.refresh_token;
      // The access token is not cut short by the deadline: it lives its minute.
      if (elapsedS === 299) {
        await at(330 * SECOND);
        expect((await userInfo(reply.body.access_token)).status).toBe(200);
      }
    }
    await at(300 * SECOND);
    const refused = await refresh(refreshToken);
    expect(refused.status).toBe(200);
    expect(Object.keys(refused.body)).toEqual(["error", "error_description", "log_id"]);
    expect(refused.body).toMatchObject({ error: "invalid_grant", error_description: "Refresh token is expired." });
  });

  it("TikTok's own 365 days count from the first issuance: a refresh on day 364 has a day left, on day 365 it is refused", async () => {
    const tokens = await connect();
    await at(364 * DAY);
    const late = await refresh(tokens.refresh_token);
    expect(late.body).toMatchObject({ expires_in: 86_400, refresh_expires_in: 86_400 });
    await at(365 * DAY);
    expect((await refresh(late.body.refresh_token)).body).toMatchObject({ error: "invalid_grant", error_description: "Refresh token is expired." });
  });

  it("a rotated refresh token stays refused, before and after the deadline; the new one is unaffected", async () => {
    const tokens = await connect("short");
    await at(10 * SECOND);
    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const reused = await refresh(tokens.refresh_token);
    expect(reused.status).toBe(200);
    expect(reused.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/already been used/) });
    expect((await refresh(rotated.body.refresh_token)).body.refresh_expires_in).toBe(3_600 - 10);
    await at(2 * 3_600 * SECOND);
    expect((await refresh(tokens.refresh_token)).body.error).toBe("invalid_grant");
  });

  it("an unknown, repeated or other platform's preset is the 400 sandbox page, and no code is issued", async () => {
    for (const lifetime of ["forever", "two_minutes", ""]) {
      const { response, location } = await submitConsent(api, services, "tiktok", { override: { [LIFETIME_FIELD]: lifetime } });
      expect(response.status, lifetime).toBe(400);
      expect(location).toBeNull();
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await response.text()).toContain("Token lifetime must be one of platform, newer_docs, short, very_short");
    }
    const form = new URLSearchParams({ ...authorizeParams(services, "tiktok"), username: "sandbox_creator", decision: "authorize" });
    form.append(LIFETIME_FIELD, "short");
    form.append(LIFETIME_FIELD, "very_short");
    const repeated = await fetch(`${api.url}/sandbox/tiktok/consent`, { method: "POST", body: form, redirect: "manual" });
    expect(repeated.status).toBe(400);
    expect(await repeated.text()).toContain("sent once");
  });

  it("Cancel ignores the choice", async () => {
    const { response } = await submitConsent(api, services, "tiktok", { decision: "cancel", override: { [LIFETIME_FIELD]: "forever" } });
    expect(response.status).toBe(303);
  });
});
