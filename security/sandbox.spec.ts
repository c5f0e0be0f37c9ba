import { expect, test } from "@playwright/test";
import { api, FRONT_ONLY, type Instance, startInstance } from "../e2e/support/layers";

/**
 * Issue 8 item 7 over HTTP: the sandbox can be switched off, caps bodies by
 * bytes, and throttles per client address, an address the client cannot pick.
 */
const returnTo = (url: string) => [`${url}/connect/return`];

test.describe("LAYERS_SANDBOX=off", () => {
  let instance: Instance;
  test.beforeAll(async () => {
    instance = await startInstance(returnTo, { env: { LAYERS_SANDBOX: "off" } });
  });
  test.afterAll(async () => instance.stop());

  test("sandbox endpoints and consent pages answer 404", async () => {
    for (const path of ["/sandbox/tiktok/v2/auth/authorize/?client_key=x", "/sandbox/instagram/oauth/authorize?client_id=x"]) {
      expect((await fetch(instance.url + path)).status, path).toBe(404);
    }
    const token = await fetch(`${instance.url}/sandbox/tiktok/v2/oauth/token/`, { method: "POST", body: new URLSearchParams({ code: "x" }) });
    expect(token.status).toBe(404);
    for (const platform of ["tiktok", "instagram"]) {
      const revoke = await fetch(`${instance.url}/sandbox/${platform}/revoke-access`, { method: "POST", body: new URLSearchParams({ username: "x" }), headers: { origin: instance.url } });
      expect(revoke.status, platform).toBe(404);
    }
  });

  test("a test-mode oauth-url answers 503 PLATFORM_NOT_CONFIGURED", async () => {
    const res = await api(instance, "POST", `/v1/projects/${instance.projectId}/social/oauth-url`, { platform: "tiktok", returnUrl: `${instance.url}/connect/return` });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("PLATFORM_NOT_CONFIGURED");
  });
});

test.describe("the sandbox switched on", () => {
  let instance: Instance;
  test.beforeAll(async () => {
    instance = await startInstance(returnTo);
  });
  test.afterAll(async () => instance.stop());

  test("revoke-access refuses a form posted from another site (or with a null Origin) and revokes nothing", async () => {
    for (const headers of [{ origin: "https://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }] as Array<Record<string, string>>) {
      const res = await fetch(`${instance.url}/sandbox/tiktok/revoke-access`, { method: "POST", body: new URLSearchParams({ username: "sandbox_creator" }), headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).not.toMatch(/revoked:/);
    }
  });

  test("a body over 64 KiB is refused with 413 without being read whole", async () => {
    const res = await fetch(`${instance.url}/sandbox/tiktok/v2/oauth/token/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `code=${"a".repeat(70 * 1024)}`,
    });
    expect(res.status).toBe(413);
  });

  // Front only: the address is the socket's, which only the front records (CLIENT_ADDRESS_HEADER);
  // under bare `next start` every client is "unknown" (a client's own copy of that header lacks the
  // process's mark), one budget shared with this suite's earlier requests.
  test("the per-address budget holds whatever X-Forwarded-For or the front's own header the client sends", { tag: FRONT_ONLY }, async () => {
    // The budget is a fixed 60 s window: start well inside one, so a window
    // turning over mid-run cannot hand out a fresh budget.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 320; i++) {
      const forged = `198.51.100.${i % 250}`;
      const res = await fetch(`${instance.url}/sandbox/tiktok/v2/user/info/?fields=open_id`, {
        headers: { authorization: "Bearer act.nothing", "x-forwarded-for": forged, "x-layers-client-address": forged },
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    const firstRefusal = statuses.indexOf(429);
    // 300 a minute per address (this suite's earlier requests count too), and
    // once spent, no forged header buys another request.
    expect(firstRefusal).toBeGreaterThan(250);
    expect(firstRefusal).toBeLessThanOrEqual(300);
    expect(statuses.slice(firstRefusal).every((s) => s === 429)).toBe(true);
  });
});
