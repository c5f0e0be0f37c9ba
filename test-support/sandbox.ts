import { randomBytes } from "node:crypto";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Platform } from "@/db/schema";
import { type Handler, readAnswer, TestApi } from "./testApi";
import { type Services, setServices } from "@/server/services";
import { apiRoutes, deriveServices, startTestServices } from "./harness";
import { CLIENT_ADDRESS_HEADER, recordedClientAddress } from "@/server/http/clientAddress";
import { codeChallenge, newCodeVerifier } from "@/server/oauth/pkce";
import { redirectUri, sandboxCredentials } from "@/server/oauth/platforms/config";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";

/** The sandbox's endpoints at the paths `next start` serves them (TikTok's with their trailing slash, as the adapters call them). */
const SANDBOX_ROUTES = [
  ["POST", "/sandbox/tiktok/v2/oauth/token/"],
  ["POST", "/sandbox/tiktok/v2/oauth/revoke/"],
  ["GET", "/sandbox/tiktok/v2/user/info/"],
  ["POST", "/sandbox/tiktok/consent"],
  ["POST", "/sandbox/instagram/consent"],
  ["POST", "/sandbox/tiktok/revoke-access"],
  ["POST", "/sandbox/instagram/revoke-access"],
  ["POST", "/sandbox/instagram/api/oauth/access_token"],
  ["GET", "/sandbox/instagram/graph/*path"],
  ["GET", "/sandbox/avatar/:username"],
] as const;

/** The sandbox's route handlers behind node:http. */
export async function startSandboxApi(): Promise<TestApi> {
  return (await mountSandbox(new TestApi())).listen();
}

/** Adds the sandbox's routes to a test server (beside the API's, for end-to-end flows). */
export async function mountSandbox(api: TestApi): Promise<TestApi> {
  // The sandbox budgets per client address, and TestApi records no socket
  // address: each mount is one client of its own unless a request names one,
  // so test files (which share Redis) never share a budget.
  const address = `test-client-${randomBytes(8).toString("hex")}`;
  const asClient =
    (handler: Handler): Handler =>
    (req, ctx) => {
      if (req.headers.has(CLIENT_ADDRESS_HEADER)) return handler(req, ctx);
      const headers = new Headers(req.headers);
      headers.set(CLIENT_ADDRESS_HEADER, recordedClientAddress(address));
      return handler(new Request(req, { headers }), ctx);
    };
  for (const [method, path] of SANDBOX_ROUTES) await api.mount(method, path, asClient);
  return api;
}

/**
 * The whole API and the sandbox behind one test server, and services whose
 * public URL is that server's (made the process's services): test keys then
 * connect end to end, consent page to callback, over real HTTP.
 */
export async function serveApiWithSandbox(base: Services, env: Record<string, string> = {}): Promise<{ api: TestApi; services: Services }> {
  const api = await mountSandbox(await apiRoutes(new TestApi()));
  await api.listen();
  const services = deriveServices(base, { LAYERS_PUBLIC_URL: api.url, ...env });
  setServices(services);
  return { api, services };
}

export interface SandboxFixture {
  services: Services;
  api: TestApi;
  clock: TestClock;
  /** The real time the current test began at; the clock starts each test there. */
  t0: number;
}

/**
 * A sandbox test file's services on a test clock and the sandbox's routes
 * behind HTTP, made before its tests and closed after them (call at the top
 * of the file). Each test starts with the clock at the real time: consents
 * and code exchanges prune expired rows, and with DATABASE_URL the test
 * files share one database, so pruning as of a moved clock would delete
 * other files' live rows. Tests move the clock only for calls that prune
 * nothing (refreshes, profiles).
 */
export function useSandbox(): SandboxFixture {
  const fixture = {} as SandboxFixture;
  beforeAll(async () => {
    fixture.clock = new TestClock(Date.now());
    fixture.services = await startTestServices({ clock: fixture.clock });
    fixture.api = await startSandboxApi();
  });
  beforeEach(async () => {
    fixture.t0 = Date.now();
    await fixture.clock.setTime(fixture.t0);
  });
  afterAll(async () => {
    await fixture.api?.close();
    await fixture.services?.close();
  });
  return fixture;
}

/** The authorize parameters Layers would send for a test-mode attempt. */
export function authorizeParams(services: Services, platform: Platform, opts: { scopes?: string[]; verifier?: string } = {}) {
  const params: Record<string, string> = {
    [platform === "tiktok" ? "client_key" : "client_id"]: sandboxCredentials(services.config, platform).clientId,
    response_type: "code",
    scope: (opts.scopes ?? PLATFORM_SCOPES[platform].defaults).join(","),
    redirect_uri: redirectUri(services.config, platform),
    state: `st_${randomBytes(20).toString("hex").toUpperCase()}`,
  };
  if (platform === "tiktok" && opts.verifier) {
    params.code_challenge = codeChallenge(opts.verifier);
    params.code_challenge_method = "S256";
  }
  return params;
}

export interface ConsentOptions {
  scopes?: string[];
  /** Scopes the end-customer unticks. */
  untick?: string[];
  username?: string;
  decision?: "authorize" | "cancel";
  /** Request headers; by default just `Origin`, the instance's own origin (as a browser sends it). */
  headers?: Record<string, string>;
  /** Overrides of the (hidden) authorize fields, to tamper with them. */
  override?: Record<string, string>;
  verifier?: string;
}

/** Submits the consent form as a browser would, without following the redirect. */
export async function submitConsent(api: TestApi, services: Services, platform: Platform, opts: ConsentOptions = {}) {
  const params = { ...authorizeParams(services, platform, { scopes: opts.scopes, verifier: opts.verifier }), ...opts.override };
  const form = new URLSearchParams(params);
  form.set("username", opts.username ?? "sandbox_creator");
  for (const scope of params.scope!.split(",")) if (!opts.untick?.includes(scope)) form.append("granted_scope", scope);
  form.set("decision", opts.decision ?? "authorize");
  const response = await fetch(`${api.url}/sandbox/${platform}/consent`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: opts.headers ?? { origin: new URL(services.config.publicUrl).origin },
  });
  return { response, location: response.headers.get("location"), state: params.state! };
}

/**
 * Authorizes, granting every scope asked for, on the sandbox consent page an
 * authorize URL (from oauth-url) points to; answers the consent form's reply,
 * whose Location is the callback the browser would open.
 */
export async function consentToAuthorizeUrl(api: TestApi, authorizeUrl: string, opts: { username?: string } = {}): Promise<Response> {
  const authorize = new URL(authorizeUrl);
  const platform = authorize.pathname.split("/")[2];
  const form = new URLSearchParams(authorize.searchParams);
  form.set("username", opts.username ?? "sandbox_creator");
  for (const scope of authorize.searchParams.get("scope")!.split(",")) form.append("granted_scope", scope);
  form.set("decision", "authorize");
  return fetch(`${api.url}/sandbox/${platform}/consent`, { method: "POST", body: form, redirect: "manual", headers: { origin: api.url } });
}

/** Authorizes on the TikTok consent page and returns the code from the redirect (decoded once). */
export async function tiktokCode(api: TestApi, services: Services, opts: Omit<ConsentOptions, "decision"> = {}) {
  const verifier = opts.verifier ?? newCodeVerifier();
  const { location } = await submitConsent(api, services, "tiktok", { ...opts, verifier });
  const code = new URL(location!).searchParams.get("code")!;
  return { code, verifier };
}

export function postForm(api: TestApi, path: string, fields: Record<string, string>) {
  return fetch(api.url + path, { method: "POST", body: new URLSearchParams(fields) });
}

/** Reads a reply as status, raw text and parsed JSON (when it is JSON). */
export const read = readAnswer;
