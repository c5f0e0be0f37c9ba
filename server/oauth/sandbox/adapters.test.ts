import type { TestClock } from "pg-boss";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "@/test-support/harness";
import type { Services } from "../../services";
import { platformEndpoints, redirectUri } from "../platforms/config";
import { createPlatformAdapter } from "../platforms";
import { sandboxUser } from "./identity";
import { submitConsent, tiktokCode, useSandbox } from "@/test-support/sandbox";

// The production adapters against the sandbox over HTTP: the "same code,
// other base URL" promise of test mode, checked end to end.

let services: Services;
let api: TestApi;
let clock: TestClock;

const sandbox = useSandbox();
beforeAll(() => void ({ services, api, clock } = sandbox));

/** Test-mode endpoints, re-pointed from the public URL to the test server. */
function adapterFor(platform: "tiktok" | "instagram") {
  const endpoints = platformEndpoints(services.config, platform, false);
  const local = (url: string | undefined) => url && url.replace(services.config.publicUrl, api.url);
  return createPlatformAdapter({ ...endpoints, apiBaseUrl: local(endpoints.apiBaseUrl)!, graphBaseUrl: local(endpoints.graphBaseUrl) });
}

describe("the TikTok adapter against the sandbox", () => {
  it("exchanges, fetches the profile, refreshes and revokes", async () => {
    const adapter = adapterFor("tiktok");
    const { code, verifier } = await tiktokCode(api, services, { username: "adapter_check" });
    const tokens = await adapter.exchangeCode({ code, redirectUri: redirectUri(services.config, "tiktok"), codeVerifier: verifier });
    const user = sandboxUser("tiktok", "adapter_check")!;
    expect(tokens.platformUserId).toBe(user.userId);
    expect(tokens.refreshToken).toMatch(/^rft\./);
    const profile = await adapter.fetchProfile(tokens.accessToken, tokens.grantedScopes!);
    expect(profile).toMatchObject({ platformUserId: user.userId, username: "adapter_check", displayName: "Adapter Check" });
    const refreshed = await adapter.refresh({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(await adapter.revoke(refreshed.accessToken)).toBe(true);
    await expect(adapter.fetchProfile(refreshed.accessToken, tokens.grantedScopes!)).rejects.toMatchObject({ code: "profile_fetch_failed" });
  });

  it("a reused code fails as token_exchange_failed", async () => {
    const adapter = adapterFor("tiktok");
    const { code, verifier } = await tiktokCode(api, services);
    const input = { code, redirectUri: redirectUri(services.config, "tiktok"), codeVerifier: verifier };
    await adapter.exchangeCode(input);
    await expect(adapter.exchangeCode(input)).rejects.toMatchObject({ code: "token_exchange_failed" });
  });
});

describe("the Instagram adapter against the sandbox", () => {
  it("exchanges (short then long-lived), keeps the 20-digit id exact, fetches the profile and refreshes", async () => {
    const adapter = adapterFor("instagram");
    const { location } = await submitConsent(api, services, "instagram", { username: "adapter_check" });
    const code = new URL(location!).searchParams.get("code")!;
    const tokens = await adapter.exchangeCode({ code, redirectUri: redirectUri(services.config, "instagram") });
    const user = sandboxUser("instagram", "adapter_check")!;
    expect(tokens.platformUserId).toBe(user.userId);
    const profile = await adapter.fetchProfile(tokens.accessToken, tokens.grantedScopes!);
    expect(profile).toMatchObject({ platformUserId: user.userId, username: "adapter_check", displayName: "Adapter Check" });
    // Instagram refreshes a long-lived token once it is a day old; a younger one is refused, but not for good.
    const early = await adapter.refresh({ accessToken: tokens.accessToken, refreshToken: null }).catch((e: unknown) => e);
    expect(early).toMatchObject({ name: "PlatformError", code: "token_exchange_failed", reauth: undefined });
    await clock.setTime(Date.now() + 24 * 3_600_000);
    const refreshed = await adapter.refresh({ accessToken: tokens.accessToken, refreshToken: null });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
  });
});
