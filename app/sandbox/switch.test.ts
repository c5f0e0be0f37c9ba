import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SandboxConsent } from "@/app/sandbox/SandboxConsent";
import { apiRoutes, deriveServices, request, seedTenant, startTestServices, type TestApi } from "@/test-support/harness";
import { authorizeParams, mountSandbox } from "@/test-support/sandbox";
import { type Services, setServices } from "@/server/services";
import { platformEndpoints } from "@/server/oauth/platforms/config";

/** LAYERS_SANDBOX=off (CONTRACT.md §6): no sandbox routes, no test-mode platforms. */

let off: Services;
let api: TestApi;

beforeAll(async () => {
  off = await startTestServices({ env: { LAYERS_SANDBOX: "off" } });
  api = await (await mountSandbox(await apiRoutes())).listen();
});

afterEach(() => setServices(off));

afterAll(async () => {
  await api.close();
  await off.close();
});

const ROUTES: Array<[method: string, path: string]> = [
  ["POST", "/sandbox/tiktok/v2/oauth/token/"],
  ["POST", "/sandbox/tiktok/v2/oauth/revoke/"],
  ["GET", "/sandbox/tiktok/v2/user/info/?fields=open_id"],
  ["POST", "/sandbox/tiktok/consent"],
  ["POST", "/sandbox/instagram/consent"],
  ["POST", "/sandbox/tiktok/revoke-access"],
  ["POST", "/sandbox/instagram/revoke-access"],
  ["POST", "/sandbox/instagram/api/oauth/access_token"],
  ["GET", "/sandbox/instagram/graph/me?access_token=x"],
  ["GET", "/sandbox/instagram/graph/v23.0/me?access_token=x"],
  ["GET", "/sandbox/avatar/sandbox_creator"],
];

describe("LAYERS_SANDBOX=off", () => {
  it("every sandbox route handler answers 404", async () => {
    for (const [method, path] of ROUTES) {
      const response = await fetch(api.url + path, { method, body: method === "POST" ? new URLSearchParams({ decision: "authorize" }) : undefined });
      expect(response.status, `${method} ${path}`).toBe(404);
      // The test server answers "no route" for a path it has not mounted: this 404 is the sandbox switch's.
      expect(await response.text(), `${method} ${path}`).toBe("Not found");
    }
  });

  it("the consent pages are Next's 404 (notFound)", async () => {
    for (const platform of ["tiktok", "instagram"] as const) {
      const error = await SandboxConsent({ platform, searchParams: authorizeParams(off, platform) }).catch((e: unknown) => e);
      expect((error as { digest?: string }).digest).toBe("NEXT_HTTP_ERROR_FALLBACK;404");
    }
  });

  it("test-mode endpoints have no credentials and say the sandbox is off; live ones are unchanged", () => {
    for (const platform of ["tiktok", "instagram"] as const) {
      const endpoints = platformEndpoints(off.config, platform, false);
      expect(endpoints.credentials).toBeUndefined();
      expect(endpoints.notConfigured).toMatch(/LAYERS_SANDBOX=off/);
      expect(platformEndpoints(off.config, platform, true).notConfigured).toMatch(platform === "tiktok" ? /TIKTOK_CLIENT_KEY/ : /INSTAGRAM_CLIENT_ID/);
    }
  });

  it("test-mode oauth-url is 503 PLATFORM_NOT_CONFIGURED naming LAYERS_SANDBOX=off; with the sandbox on it works", async () => {
    const tenant = await seedTenant(off, { mode: "test" });
    const body = { platform: "tiktok", returnUrl: "https://app.example.com/connect/return" };
    const refused = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("PLATFORM_NOT_CONFIGURED");
    expect(refused.body.error.message).toMatch(/sandbox is off.*LAYERS_SANDBOX=off/);

    setServices(deriveServices(off, { LAYERS_SANDBOX: "on" }));
    const served = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body });
    expect(served.status).toBe(200);
    expect(served.body.authorizeUrl).toMatch(/^http:\/\/layers\.test\/sandbox\/tiktok\/v2\/auth\/authorize\//);
    expect((await fetch(`${api.url}/sandbox/avatar/sandbox_creator`)).status).toBe(200);
  });
});
