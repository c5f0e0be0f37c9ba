import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices, type TestApi } from "@/test-support/harness";
import type { Services } from "../../services";
import { newCodeVerifier } from "../pkce";
import { consentPageModel, toSearchParams } from "./authorize";
import { sandboxUser } from "./identity";
import { authorizeParams, startSandboxApi, submitConsent } from "@/test-support/sandbox";

let services: Services;
let api: TestApi;

beforeAll(async () => {
  services = await startTestServices();
  api = await startSandboxApi();
});

afterAll(async () => {
  await api.close();
  await services.close();
});

/** The consent page's model for these query parameters. */
function page(platform: "tiktok" | "instagram", params: Record<string, string | string[] | undefined>) {
  return consentPageModel(services.config, platform, toSearchParams(params));
}

function problems(platform: "tiktok" | "instagram", params: Record<string, string | string[] | undefined>): string[] {
  const model = page(platform, params);
  if (model.ok) throw new Error("expected the sandbox error page");
  return model.problems;
}

describe("the TikTok authorize page", () => {
  const valid = () => authorizeParams(services, "tiktok", { verifier: newCodeVerifier() });

  it("shows the consent form for what Layers sends: client, all requested scopes, the parameters carried along", () => {
    const params = valid();
    const model = page("tiktok", params);
    if (!model.ok) throw new Error(model.problems.join("; "));
    expect(model.view.clientId).toBe("sandbox_tiktok");
    expect(model.view.returnHost).toBe("layers.test");
    expect(model.view.action).toBe("http://layers.test/sandbox/tiktok/consent");
    expect(model.view.scopes.map((s) => s.name)).toEqual(params.scope!.split(","));
    expect(Object.fromEntries(model.view.hidden)).toEqual(params);
  });

  it("PKCE is optional, as on TikTok web", () => {
    const { code_challenge: _c, code_challenge_method: _m, ...params } = valid();
    expect(page("tiktok", params).ok).toBe(true);
  });

  it("client_id instead of client_key is an error page, not a redirect", () => {
    const { client_key, ...rest } = valid();
    expect(problems("tiktok", { ...rest, client_id: client_key })).toEqual([expect.stringMatching(/`client_key`.*`client_id`/)]);
  });

  it.each([
    ["another client", { client_key: "awx123" }, /not an app of this sandbox/],
    ["response_type token", { response_type: "token" }, /response_type/],
    ["a redirect_uri that differs by a slash", { redirect_uri: "http://layers.test/v1/social/oauth/callback/tiktok/" }, /redirect_uri.*exactly/],
    ["a redirect_uri elsewhere", { redirect_uri: "https://evil.example/cb" }, /redirect_uri/],
    ["space-separated scopes", { scope: "user.info.basic video.list" }, /comma-separated/],
    ["an Instagram scope", { scope: "user.info.basic,instagram_business_basic" }, /instagram_business_basic/],
    ["no scope", { scope: "" }, /scope/],
    ["no state", { state: "" }, /state/],
    ["a plain PKCE method", { code_challenge_method: "plain" }, /S256/],
    ["a base64url challenge", { code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" }, /hex SHA-256/],
  ])("refuses %s", (_name, override, message) => {
    expect(problems("tiktok", { ...valid(), ...override })).toEqual([expect.stringMatching(message)]);
  });

  it("refuses a repeated parameter", () => {
    const params = valid();
    expect(problems("tiktok", { ...params, state: [params.state!, "st_other"] })).toEqual([expect.stringMatching(/`state` appears 2 times/)]);
  });

  it("lists every problem at once", () => {
    expect(problems("tiktok", {})).toHaveLength(5);
  });
});

describe("the Instagram authorize page", () => {
  const valid = () => authorizeParams(services, "instagram");

  it("accepts what Layers sends and ignores unknown parameters", () => {
    const params = valid();
    const model = page("instagram", { ...params, enable_fb_login: "0", force_reauth: "true", utm_source: "x" });
    if (!model.ok) throw new Error(model.problems.join("; "));
    expect(model.view.clientId).toBe("sandbox_instagram");
    expect(Object.fromEntries(model.view.hidden)).toEqual(params);
  });

  it("state may be absent", () => {
    const { state: _s, ...params } = valid();
    expect(page("instagram", params).ok).toBe(true);
  });

  it.each([
    ["client_key instead of client_id", { client_id: undefined, client_key: "sandbox_instagram" }, /`client_id` is missing/],
    ["the retired business_* scope names", { scope: "business_basic,business_content_publish" }, /business_basic/],
    ["another redirect_uri", { redirect_uri: "http://layers.test/v1/social/oauth/callback/tiktok" }, /redirect_uri/],
    ["response_type missing", { response_type: undefined }, /response_type/],
  ])("refuses %s", (_name, override, message) => {
    expect(problems("instagram", { ...valid(), ...override })).toEqual([expect.stringMatching(message)]);
  });
});

describe("the consent POST", () => {
  it("refuses a cross-origin post (403), redirecting nowhere", async () => {
    const { response, location } = await submitConsent(api, services, "tiktok", { headers: { origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(location).toBeNull();
    expect(await response.text()).toMatch(/Sandbox/);
    const nullOrigin = await submitConsent(api, services, "instagram", { headers: { origin: "null" } });
    expect(nullOrigin.response.status).toBe(403);
  });

  it("refuses a cross-site post without Origin; a post with neither header (curl) is served", async () => {
    expect((await submitConsent(api, services, "tiktok", { headers: { "sec-fetch-site": "cross-site" } })).response.status).toBe(403);
    expect((await submitConsent(api, services, "tiktok", { headers: {} })).response.status).toBe(303);
  });

  it("re-validates the hidden fields: a tampered redirect_uri gets the error page, not a redirect", async () => {
    for (const platform of ["tiktok", "instagram"] as const) {
      const { response, location } = await submitConsent(api, services, platform, { override: { redirect_uri: "https://evil.example/cb" } });
      expect(response.status).toBe(400);
      expect(location).toBeNull();
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await response.text()).toContain("redirect_uri");
    }
    const cancelled = await submitConsent(api, services, "tiktok", { decision: "cancel", override: { redirect_uri: "https://evil.example/cb" } });
    expect(cancelled.response.status).toBe(400);
  });

  it("cannot grant a scope that was not requested", async () => {
    const form = new URLSearchParams({ ...authorizeParams(services, "tiktok", { scopes: ["user.info.basic"] }), username: "sandbox_creator", decision: "authorize" });
    form.append("granted_scope", "user.info.basic");
    form.append("granted_scope", "video.publish");
    const response = await fetch(`${api.url}/sandbox/tiktok/consent`, { method: "POST", body: form, redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("video.publish");
  });

  it("refuses an invalid username, but Cancel does not need one", async () => {
    expect((await submitConsent(api, services, "tiktok", { username: "no spaces!" })).response.status).toBe(400);
    expect((await submitConsent(api, services, "tiktok", { username: "", decision: "cancel" })).response.status).toBe(303);
  });
});

describe("sandbox identities", () => {
  it("derive from platform + username, case-insensitively", () => {
    expect(sandboxUser("tiktok", "Sandbox_Creator")).toEqual(sandboxUser("tiktok", "sandbox_creator"));
    expect(sandboxUser("tiktok", "sandbox_creator")!.userId).toMatch(/^sbx_[0-9a-f]{32}$/);
    const instagram = sandboxUser("instagram", "sandbox_creator")!;
    expect(instagram).toMatchObject({ username: "sandbox_creator", displayName: "Sandbox Creator" });
    expect(instagram.userId).toMatch(/^1784140\d{13}$/);
    expect(BigInt(instagram.userId) > 2n ** 53n).toBe(true);
    expect(sandboxUser("instagram", "another_one")!.userId).not.toBe(instagram.userId);
    expect(sandboxUser("tiktok", "a")).toBeNull();
    expect(sandboxUser("tiktok", "<script>")).toBeNull();
  });
});
