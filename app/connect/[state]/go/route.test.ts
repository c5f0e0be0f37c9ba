import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthStates, socialAccounts } from "@/db/schema";
import { domainContext } from "@/server/domain/context";
import { connectView } from "@/server/hosted/views";
import { type Services, setServices } from "@/server/services";
import { apiRoutes, deriveServices, request, startTestServices, seedTenant, type Tenant, TestApi } from "@/test-support/harness";
import { mountSandbox } from "@/test-support/sandbox";

/**
 * The hosted connect page's button over HTTP (issue 8 item 9): the page holds
 * no authorize URL, the first browser to press is bound, every other one is
 * refused, and a bound attempt's callback works only in that browser.
 */
let base: Services;
let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  base = await startTestServices();
  api = await mountSandbox(await apiRoutes(new TestApi()));
  await api.mount("POST", "/connect/:state/go");
  await api.listen();
  // The public URL is the test server's loopback address, as `npm start` on localhost has it.
  services = deriveServices(base, { LAYERS_PUBLIC_URL: api.url });
  setServices(services);
  tenant = await seedTenant(services, { mode: "test", allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await base.close();
});

async function createAttempt(platform: "tiktok" | "instagram" = "tiktok") {
  const created = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body: { platform, returnUrl: RETURN_URL } });
  expect(created.status).toBe(200);
  return created.body as { state: string; authorizeUrl: string };
}

/** Presses the page's button as a browser would: a same-origin form POST, with whatever cookie the browser holds. */
async function press(state: string, opts: { cookie?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { origin: api.url, "sec-fetch-site": "same-origin", ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(`${api.url}/connect/${state}/go`, { method: "POST", headers, redirect: "manual" });
  const setCookie = res.headers.get("set-cookie");
  return { status: res.status, location: res.headers.get("location"), setCookie, cookie: setCookie?.split(";")[0], text: await res.text(), headers: res.headers };
}

const row = async (state: string) => (await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, state)))[0]!;

describe("the hosted page and its button", () => {
  it("the page's view carries no authorize URL or PKCE challenge, and reading it binds nothing", async () => {
    const { state } = await createAttempt();
    const view = await connectView(domainContext(services), state);
    expect(view).toMatchObject({ kind: "ready", state, platform: "TikTok" });
    expect(JSON.stringify(view)).not.toMatch(/code_challenge|authorize|client_key|sandbox/);
    expect((await row(state)).browserBindingHash).toBeNull();
  });

  it("the first press answers 303 to the attempt's own authorize URL and binds it to a __Host- cookie whose hash alone is stored", async () => {
    const { state, authorizeUrl } = await createAttempt();
    const first = await press(state);
    expect(first.status).toBe(303);
    expect(first.location).toBe(authorizeUrl);
    expect(new URL(first.location!).searchParams.get("code_challenge")).toBeTruthy();
    expect(first.headers.get("cache-control")).toBe("no-store");

    const attributes = first.setCookie!.split(";").map((part) => part.trim());
    const [name, token] = attributes[0]!.split("=");
    expect(name).toBe("__Host-layers_connect");
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=600"]));
    expect(attributes.some((a) => /^Domain=/i.test(a))).toBe(false);

    const stored = (await row(state)).browserBindingHash;
    expect(stored).toBe(createHash("sha256").update(token!).digest("hex"));
    expect(stored).not.toContain(token);
  });

  it("the same browser may press again; any other browser is refused with a clear 403 page and the binding stays", async () => {
    const { state, authorizeUrl } = await createAttempt("instagram");
    const first = await press(state);
    const bound = (await row(state)).browserBindingHash;

    const again = await press(state, { cookie: first.cookie });
    expect(again.status).toBe(303);
    expect(again.location).toBe(authorizeUrl);

    for (const stranger of [undefined, "__Host-layers_connect=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "__Host-layers_connect=not-a-token"]) {
      const refused = await press(state, { cookie: stranger });
      expect(refused.status, stranger).toBe(403);
      expect(refused.location).toBeNull();
      expect(refused.setCookie).toBeNull();
      expect(refused.headers.get("x-frame-options")).toBe("DENY");
      expect(refused.text).toContain("This connection link was already opened in another browser");
      expect(refused.text).not.toContain("oauth/authorize");
    }
    expect((await row(state)).browserBindingHash).toBe(bound);
  });

  it("a browser's one cookie serves every attempt it opens", async () => {
    const one = await createAttempt();
    const two = await createAttempt("instagram");
    const first = await press(one.state);
    const second = await press(two.state, { cookie: first.cookie });
    expect(second.status).toBe(303);
    expect(second.cookie).toBe(first.cookie);
    expect((await press(one.state, { cookie: first.cookie })).status).toBe(303);
  });

  it("of browsers pressing at once, exactly one is bound", async () => {
    const { state } = await createAttempt();
    const presses = await Promise.all(Array.from({ length: 6 }, () => press(state)));
    expect(presses.filter((p) => p.status === 303)).toHaveLength(1);
    expect(presses.filter((p) => p.status === 403)).toHaveLength(5);
    const winner = presses.find((p) => p.status === 303)!;
    expect((await press(state, { cookie: winner.cookie })).status).toBe(303);
  });

  it("a POST from another origin, or with no browser's origin at all, is refused and binds nothing", async () => {
    const { state } = await createAttempt();
    const attempts: Record<string, string>[] = [
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { origin: "null", "sec-fetch-site": "cross-site" },
      { origin: api.url.replace("127.0.0.1", "localhost") },
    ];
    for (const headers of attempts) {
      const res = await press(state, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.location).toBeNull();
      expect(res.setCookie).toBeNull();
    }
    // Neither header: not a browser pressing our button.
    const bare = await fetch(`${api.url}/connect/${state}/go`, { method: "POST", redirect: "manual" });
    expect(bare.status).toBe(403);
    expect((await row(state)).browserBindingHash).toBeNull();
    // A browser that sends only Sec-Fetch-Site: same-origin is ours.
    const fetchSiteOnly = await fetch(`${api.url}/connect/${state}/go`, { method: "POST", redirect: "manual", headers: { "sec-fetch-site": "same-origin" } });
    expect(fetchSiteOnly.status).toBe(303);
  });

  it("an expired or finished attempt is not bound: 303 back to the page, which says so", async () => {
    const expired = await createAttempt();
    await services.database.db.update(oauthStates).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oauthStates.id, expired.state));
    const finished = await createAttempt();
    await services.database.db.update(oauthStates).set({ status: "failed", errorCode: "access_denied", completedAt: new Date() }).where(eq(oauthStates.id, finished.state));
    for (const { state } of [expired, finished]) {
      const res = await press(state);
      expect(res.status).toBe(303);
      expect(res.location).toBe(`${api.url}/connect/${state}`);
      expect(res.setCookie).toBeNull();
      expect((await row(state)).browserBindingHash).toBeNull();
    }
    expect(await connectView(domainContext(services), expired.state)).toMatchObject({ kind: "expired" });
    expect(await connectView(domainContext(services), finished.state)).toMatchObject({ kind: "failed" });
  });

  it("an unknown or malformed state is the hosted error page with 404", async () => {
    for (const state of ["st_01HXZ8K2M4P5QRS6TUV7WXYZ9A", "garbage", "st_" + "A".repeat(65)]) {
      const res = await press(state);
      expect(res.status, state).toBe(404);
      expect(res.location).toBeNull();
      expect(res.text).toContain("This connection link is not valid");
    }
  });
});

/** Consents in the sandbox to the authorize URL the button sent the browser to; returns the callback URL. */
async function consentTo(authorizeUrl: string, username: string) {
  const authorize = new URL(authorizeUrl);
  const form = new URLSearchParams(authorize.searchParams);
  form.set("username", username);
  for (const scope of authorize.searchParams.get("scope")!.split(",")) form.append("granted_scope", scope);
  form.set("decision", "authorize");
  const platform = authorize.pathname.includes("/tiktok/") ? "tiktok" : "instagram";
  const consented = await fetch(`${api.url}/sandbox/${platform}/consent`, { method: "POST", body: form, redirect: "manual", headers: { origin: api.url } });
  expect(consented.status).toBe(303);
  return consented.headers.get("location")!;
}

const callback = async (url: string, cookie?: string) => {
  const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  return { status: res.status, location: res.headers.get("location"), text: await res.text() };
};

describe("the callback of a bound attempt", () => {
  it("finishes only in the browser that pressed: any other browser gets a 403 page, and nothing is exchanged or changed", async () => {
    const { state } = await createAttempt("instagram");
    const owner = await press(state);
    // Someone else with the link (or its state) completes consent with their own account.
    const strangersCallback = await consentTo(owner.location!, "stranger_account");
    for (const cookie of [undefined, "__Host-layers_connect=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const refused = await callback(strangersCallback, cookie);
      expect(refused.status).toBe(403);
      expect(refused.location).toBeNull();
      expect(refused.text).toContain("This connection was started in another browser");
    }
    expect(await row(state)).toMatchObject({ status: "pending", socialAccountId: null });
    const strangers = await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.username, "stranger_account"));
    expect(strangers).toHaveLength(0);

    // The end-customer, in the browser that pressed, still completes.
    const ownCallback = await consentTo(owner.location!, "owner_account");
    const done = await callback(ownCallback, owner.cookie);
    expect(done.status).toBe(303);
    expect(done.location).toBe(RETURN_URL);
    expect(await row(state)).toMatchObject({ status: "completed" });
  });

  it("an attempt nobody pressed (the integrator sent the authorizeUrl itself) needs no cookie", async () => {
    const { state, authorizeUrl } = await createAttempt("tiktok");
    const done = await callback(await consentTo(authorizeUrl, "direct_account"));
    expect(done.status).toBe(303);
    expect(done.location).toBe(RETURN_URL);
    expect((await row(state)).status).toBe("completed");
  });
});
