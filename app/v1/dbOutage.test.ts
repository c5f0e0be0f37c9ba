import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, setServices } from "@/server/services";
import { apiRoutes, deriveServices, request, seedTenant, startTestServices, type Tenant, TestApi } from "@/test-support/harness";
import { consentToAuthorizeUrl, mountSandbox } from "@/test-support/sandbox";
import { startTcpProxy, type TcpProxy } from "@/test-support/tcpProxy";

// An outage needs a PostgreSQL to lose: the machine's (always at 127.0.0.1:5432, as for e2e) through a proxy this test can cut, in a database of its own.
const SHARED = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `layers_outage_${randomBytes(6).toString("hex")}`;
let proxy: TcpProxy;
let services: Services;
let tenant: Tenant;
let api: TestApi;
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  const admin = postgres(SHARED, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`).finally(() => admin.end());
  const shared = new URL(SHARED);
  proxy = await startTcpProxy({ host: shared.hostname, port: Number(shared.port || 5432) });
  const url = new URL(SHARED);
  url.host = `127.0.0.1:${proxy.port}`;
  url.pathname = `/${name}`;
  services = await startTestServices({ env: { DATABASE_URL: url.toString() } });
  api = await mountSandbox(await apiRoutes(new TestApi()));
  await api.listen();
  // Test keys connect through the sandbox at the public URL, here this server.
  setServices(deriveServices(services, { LAYERS_PUBLIC_URL: api.url }));
  tenant = await seedTenant(services, { mode: "test", allow: [RETURN_URL] });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await services?.close();
  await proxy?.close();
  const admin = postgres(SHARED, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`).finally(() => admin.end());
});

/** One request, abandoned after 5 s: an answer before that is "did not hang". */
async function listAccounts() {
  const started = performance.now();
  try {
    const res = await fetch(`${api.url}/v1/projects/${tenant.projectId}/social/accounts`, {
      headers: { authorization: `Bearer ${tenant.token}` },
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json()) as { error?: { code: string } };
    return { status: res.status, code: body.error?.code, retryAfter: res.headers.get("retry-after"), ms: performance.now() - started };
  } catch (error) {
    return { status: 0, code: (error as Error).name, retryAfter: null, ms: performance.now() - started };
  }
}

const tally = (outcomes: Array<{ status: number; code?: string }>) =>
  outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [`${o.status} ${o.code ?? ""}`.trim()]: (acc[`${o.status} ${o.code ?? ""}`.trim()] ?? 0) + 1 }), {});

describe("a PostgreSQL outage", () => {
  it("is answered 503 UNAVAILABLE with Retry-After, without hanging, and every request after recovery succeeds", { timeout: 60_000 }, async () => {
    // Warm the pool, so the outage breaks connections already in it.
    expect(tally(await Promise.all(Array.from({ length: 8 }, listAccounts)))).toEqual({ "200": 8 });

    await proxy.cut();
    const during = [...(await Promise.all(Array.from({ length: 8 }, listAccounts)))];
    // A long run of failed reconnects: postgres-js's default backoff grew with each one, until requests waited out 20 s delays.
    for (let i = 0; i < 24; i++) during.push(await listAccounts());
    expect(tally(during)).toEqual({ "503 UNAVAILABLE": 32 });
    expect(during.every((o) => o.retryAfter !== null)).toBe(true);

    await proxy.restore();
    const after = [...(await Promise.all(Array.from({ length: 8 }, listAccounts)))];
    for (let i = 0; i < 4; i++) after.push(await listAccounts());
    expect(tally(after)).toEqual({ "200": 12 });

    const slowest = (list: Array<{ ms: number }>) => Math.round(Math.max(...list.map((o) => o.ms)));
    console.log(`outage: slowest 503 ${slowest(during)} ms; after recovery: slowest 200 ${slowest(after)} ms`);
  });
});

/** Creates an attempt and consents in the sandbox; returns the callback URL the browser would open. */
async function consent() {
  const created = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, {
    token: tenant.token,
    body: { platform: "tiktok", returnUrl: RETURN_URL },
  });
  expect(created.status).toBe(200);
  const consented = await consentToAuthorizeUrl(api, created.body.authorizeUrl, { username: "outage_creator" });
  expect(consented.status).toBe(303);
  return { state: created.body.state as string, callbackUrl: consented.headers.get("location")! };
}

describe("a callback during a PostgreSQL outage", () => {
  it("shows the branded 'try again in a moment' page (503, Retry-After), and its reload after recovery completes the connection", { timeout: 60_000 }, async () => {
    const { state, callbackUrl } = await consent();
    await proxy.cut();
    const started = performance.now();
    const during = await fetch(callbackUrl, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
    const page = await during.text();
    const answeredIn = Math.round(performance.now() - started);
    await proxy.restore();
    expect(during.status).toBe(503);
    expect(during.headers.get("retry-after")).not.toBeNull();
    expect(during.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page).toContain("Try again in a moment");
    expect(page).toContain("Layers Connect");

    const reloaded = performance.now();
    const reload = await fetch(callbackUrl, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
    console.log(`callback in an outage: answered in ${answeredIn} ms; reload after recovery: ${Math.round(performance.now() - reloaded)} ms`);
    expect(reload.status).toBe(303);
    expect(reload.headers.get("location")).toBe(RETURN_URL);
    const status = await request(api, "GET", `/v1/social/oauth-status/${state}`, { token: tenant.token });
    expect(status.body).toMatchObject({ status: "completed", platform: "tiktok" });
  });
});
