import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/services";
import { addKey, seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";
import { Layers, LayersError } from "../src/index";

/**
 * `new Layers(...)`: where the key and the API's URL come from, and the
 * browser rule (a live key is a server secret; a test key may run in a
 * page, which is how the seed page's snippet runs).
 */
const SEED_RETURN_URL = "https://app.gicgrowth.com/connect/tiktok/return";
let base: Services;
let api: TestApi;
let tenant: Tenant;
let liveToken: string;

beforeAll(async () => {
  base = await startTestServices();
  ({ api } = await serveApiWithSandbox(base));
  tenant = await seedTenant(base, { allow: [SEED_RETURN_URL] });
  liveToken = (await addKey(base, tenant.orgId, { mode: "live" })).token;
});
afterAll(async () => {
  await api?.close();
  await base?.close();
});

const globals = globalThis as Record<string, unknown>;
const savedEnv = { key: process.env.LAYERS_API_KEY, url: process.env.LAYERS_BASE_URL };
afterEach(() => {
  delete globals.window;
  delete globals.document;
  for (const [name, value] of [
    ["LAYERS_API_KEY", savedEnv.key],
    ["LAYERS_BASE_URL", savedEnv.url],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Makes this process look like a browser page: a `window` (whose location.assign is recorded) and a `document`. */
function pretendBrowser() {
  const assigned: string[] = [];
  globals.window = { location: { assign: (url: string) => assigned.push(url) } };
  globals.document = {};
  return assigned;
}

describe("in a browser", () => {
  it("refuses a live key: LIVE_KEY_IN_BROWSER, saying it is a server secret", () => {
    pretendBrowser();
    let error: unknown;
    try {
      new Layers({ apiKey: liveToken, baseUrl: api.url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LayersError);
    expect(error).toMatchObject({ status: 0, code: "LIVE_KEY_IN_BROWSER" });
    expect((error as Error).message).toContain("server secret");
  });

  it("runs the seed page's snippet as printed with a test key, to window.location.assign(authorizeUrl)", async () => {
    const assigned = pretendBrowser();
    const window = globals.window as { location: { assign(url: string): void } };
    const layers = new Layers({ apiKey: tenant.token, baseUrl: api.url });
    // The snippet, with this test's project id.
    const { authorizeUrl, state } = await layers.social.createOAuthUrl({
      projectId: tenant.projectId,
      platform: "tiktok",
      returnUrl: "https://app.gicgrowth.com/connect/tiktok/return",
      usageNote: "Connecting Acme Coffee",
    });

    window.location.assign(authorizeUrl);
    expect(assigned).toEqual([authorizeUrl]);
    expect(new URL(authorizeUrl).searchParams.get("state")).toBe(state);
  });
});

describe("outside a browser", () => {
  it("accepts a live key (a server holds it)", async () => {
    const layers = new Layers({ apiKey: liveToken, baseUrl: api.url });
    expect(await layers.accounts.list(tenant.projectId)).toEqual({ data: [], nextCursor: null });
  });

  it("takes the key from LAYERS_API_KEY and the API's URL from LAYERS_BASE_URL when not given", async () => {
    process.env.LAYERS_API_KEY = tenant.token;
    process.env.LAYERS_BASE_URL = `${api.url}/`;
    const layers = new Layers();
    const { state } = await layers.social.createOAuthUrl({ projectId: tenant.projectId, platform: "instagram", returnUrl: SEED_RETURN_URL });
    expect(await layers.social.getOAuthStatus(state)).toMatchObject({ state, platform: "instagram", status: "pending" });
  });

  it("throws MISSING_API_KEY with neither an apiKey nor LAYERS_API_KEY", () => {
    delete process.env.LAYERS_API_KEY;
    expect(() => new Layers({ baseUrl: api.url })).toThrow(expect.objectContaining({ code: "MISSING_API_KEY", status: 0 }));
  });
});
