import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { type HttpMethod, methodsAt, ROUTES, type RouteId, type RouteSpec } from "../server/contract/routes";
import { type Front, ladminBatch, startServer } from "../e2e/support/layers";
import { cleanEnv, freePort, freshDataDir, type Proc } from "../e2e/support/processes";

/**
 * Issue 9: both fronts proven the same, request by request. One PostgreSQL
 * database of its own, served side by side by the front (`npm start`, which
 * sends /v1 straight to the route files' handlers) and by bare `next start`
 * (Next's router and proxy.ts); every route in the table is sent the same
 * requests through both (valid ones through a whole lifecycle, HEAD, no or a
 * bad key, a missing scope, other methods, unknown paths, bad path
 * parameters, query strings, bad bodies, a spent budget) and the answers must
 * agree: status, headers and body, once what differs by nature is set aside
 * (dates, request ids, generated ids and secrets, framing: see `normalize`).
 * Each front has a project of its own in one organization (same keys), so
 * both walk through the same states. Runs in the `security` project only: it
 * starts both fronts itself.
 */
const adminUrl = process.env.E2E_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `layers_fronts_${randomBytes(4).toString("hex")}`;
const dbUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
const RETURN_URL = "https://app.example.com/connect/return";
/** A public address by its literal: creating it needs no DNS, and no mode's address rules refuse it. */
const WEBHOOK_URL = "https://93.184.216.34/layers";
const FRONTS: readonly Front[] = ["front", "next"];

/** One front's server and what exists on it (made through it). */
interface Side {
  front: Front;
  url: string;
  server: Proc;
  projectId: string;
  /** A pending attempt, a connected sandbox account and a webhook endpoint of this side's project. */
  state: string;
  accountId: string;
  endpointId: string;
}

const keys = { full: "", readOnly: "", budget: "" };
const sides = {} as Record<Front, Side>;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  await admin.end();
  const [frontPort, nextPort] = [await freePort(), await freePort()];
  // One public URL for both, so the URLs in their answers (authorize, connect, Location) are the same.
  const publicUrl = `http://localhost:${frontPort}`;
  const env = cleanEnv({
    DATABASE_URL: dbUrl,
    LAYERS_DATA_DIR: freshDataDir(),
    LAYERS_PUBLIC_URL: publicUrl,
    LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
  });
  const key = (name: string, scopes: string, extra: string[] = []) => ({ args: ["keys", "create", "--org", "@0.id", "--name", name, "--scopes", scopes, "--mode", "test", "--allow", RETURN_URL, ...extra] });
  const [, frontProject, nextProject, full, readOnly, budget] = ladminBatch(env, [
    { args: ["orgs", "create", "--name", "Fronts organization"] },
    { args: ["projects", "create", "--org", "@0.id", "--name", "Through the front"] },
    { args: ["projects", "create", "--org", "@0.id", "--name", "Through next start"] },
    key("full", "social:write,social:read,webhooks:write,webhooks:read", ["--write-limit", "100000/60s", "--read-limit", "100000/60s"]),
    key("read-only", "social:read"),
    // Each server counts its own budget (no Redis): both see the same requests, so both spend it alike.
    key("budget", "social:write,social:read", ["--write-limit", "2/60s", "--read-limit", "2/60s"]),
  ]);
  const projects: Record<Front, string> = { front: frontProject.id, next: nextProject.id };
  Object.assign(keys, { full: full.key, readOnly: readOnly.key, budget: budget.key });

  const [front, next] = await Promise.all([
    startServer({ ...env, PORT: String(frontPort) }, "front"),
    startServer({ ...env, PORT: String(nextPort) }, "next"),
  ]);
  for (const [side, server, port] of [["front", front, frontPort], ["next", next, nextPort]] as const) {
    sides[side] = { front: side, url: `http://127.0.0.1:${port}`, server, projectId: projects[side], state: "", accountId: "", endpointId: "" };
  }
  await Promise.all(
    Object.values(sides).map(async (side) => {
      side.state = (await createAttempt(side)).state;
      side.accountId = await connectSandboxAccount(side, "fronts_creator");
      side.endpointId = JSON.parse((await send(side, { method: "POST", path: `/v1/projects/${side.projectId}/webhook-endpoints`, key: keys.full, json: { url: WEBHOOK_URL } })).text).id;
    }),
  );
});

test.afterAll(async () => {
  await Promise.all(Object.values(sides).map((side) => side.server.stop()));
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
});

interface Req {
  method: string;
  /** Sent as given (node:http does not normalize it, as fetch would). */
  path: string;
  key?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(side: Side, req: Req): Promise<Answer> {
  const url = new URL(side.url);
  const headers: Record<string, string> = { ...req.headers };
  if (req.key !== undefined) headers.authorization = `Bearer ${req.key}`;
  const body = req.json !== undefined ? JSON.stringify(req.json) : req.body;
  if (req.json !== undefined) headers["content-type"] ??= "application/json";
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false, timeout: 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within 30 s: ${req.method} ${req.path}`)));
    request.on("error", reject);
    request.end(body);
  });
}

async function createAttempt(side: Side) {
  const answer = await send(side, { method: "POST", path: `/v1/projects/${side.projectId}/social/oauth-url`, key: keys.full, json: { platform: "tiktok", returnUrl: RETURN_URL } });
  expect(answer.status, answer.text).toBe(200);
  return JSON.parse(answer.text) as { state: string; authorizeUrl: string };
}

/**
 * The sandbox's consent as its page would post it (Authorize, as `username`),
 * for an attempt: the sandbox's answer is a 303 to the platform callback,
 * whose path (with the code) is returned. Not a /v1 request: Next serves it under both fronts.
 */
async function consent(side: Side, authorizeUrl: string, username: string): Promise<string> {
  const asked = new URL(authorizeUrl);
  const form = new URLSearchParams(asked.searchParams);
  form.set("decision", "authorize");
  form.set("username", username);
  for (const scope of (asked.searchParams.get("scope") ?? "").split(",").filter(Boolean)) form.append("granted_scope", scope);
  const answer = await send(side, {
    method: "POST",
    path: "/sandbox/tiktok/consent",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: asked.origin },
    body: form.toString(),
  });
  expect(answer.status, answer.text).toBe(303);
  const callback = new URL(String(answer.headers.location));
  return callback.pathname + callback.search;
}

async function connectSandboxAccount(side: Side, username: string): Promise<string> {
  const { state, authorizeUrl } = await createAttempt(side);
  const callback = await send(side, { method: "GET", path: await consent(side, authorizeUrl, username) });
  expect(callback.status, callback.text).toBe(303);
  const status = JSON.parse((await send(side, { method: "GET", path: `/v1/social/oauth-status/${state}`, key: keys.full })).text);
  expect(status.status).toBe("completed");
  return status.socialAccountId;
}

/**
 * What two answers to the same request may differ in, set aside: generated
 * ids (each side made its own), states, secrets, PKCE challenges and
 * authorization codes, timestamps, request ids (checked for shape instead).
 */
function normalizeText(text: string): string {
  return text
    .replace(/("nextCursor"\s*:\s*)"[^"]*"/g, '$1"<cursor>"')
    .replace(/\b(org|usr|prj|key|sa|we|evt|whd|req)_[0-9A-HJKMNP-TV-Z]{26}\b/g, "$1_<id>")
    .replace(/\bst_[0-9A-Z]{26,64}\b/g, "st_<state>")
    .replace(/\bwhsec_[A-Za-z0-9+/=_-]+/g, "whsec_<secret>")
    .replace(/\b(code_challenge|code)=[^&"\s]+/g, "$1=<random>")
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b/g, "<time>")
    .replace(/'nonce-[^']+'/g, "'nonce-<random>'");
}

/**
 * Headers that differ by nature: the date, the connection's handling and the
 * body's framing (a Content-Length or chunks: either is fine on HTTP/1.1),
 * the request id's value, and where a budget stands: each server counts its
 * own in a sliding window, so what is left and when it resets depend on when
 * each saw the earlier requests (the spent-budget test compares them where
 * both saw the same ones at the same moment).
 */
const VOLATILE_HEADERS = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding", "x-request-id", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"]);

interface Normalized {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What Next's router adds to Vary on every route handler's answer: the
 * request headers its client-side navigation sends, which no /v1 client
 * sends and no /v1 answer depends on. Any other Vary token is compared.
 */
const NEXT_ROUTER_VARY = new Set(["rsc", "next-router-state-tree", "next-router-prefetch", "next-router-segment-prefetch"]);

function withoutRouterVary(value: string): string {
  return value
    .split(",")
    .map((token) => token.trim())
    .filter((token) => token && !NEXT_ROUTER_VARY.has(token.toLowerCase()))
    .join(", ");
}

function normalize(answer: Answer): Normalized {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || VOLATILE_HEADERS.has(name)) continue;
    const text = Array.isArray(value) ? value.join("\n") : value;
    if (name === "vary") {
      if (withoutRouterVary(text)) headers.vary = withoutRouterVary(text);
      continue;
    }
    headers[name] = normalizeText(text);
  }
  // The request id is compared by its shape: each answer has one of its own.
  headers["x-request-id"] = typeof answer.headers["x-request-id"] === "string" ? "<present>" : "<missing>";
  let body = normalizeText(answer.text);
  try {
    body = JSON.stringify(JSON.parse(body), null, 1);
  } catch {
    // not JSON: compared as text
  }
  return { status: answer.status, headers, body };
}

interface Difference {
  request: string;
  front: unknown;
  next: unknown;
}

/** Sends `build`'s request to both fronts (each with its own resources) and notes where the answers differ. */
async function compare(differences: Difference[], label: string, build: (side: Side) => Req): Promise<Record<Front, Answer>> {
  const [front, next] = await Promise.all(FRONTS.map((f) => send(sides[f], build(sides[f]))));
  const [a, b] = [normalize(front!), normalize(next!)];
  if (a.status !== b.status) differences.push({ request: label, front: `status ${a.status}: ${a.body.slice(0, 300)}`, next: `status ${b.status}: ${b.body.slice(0, 300)}` });
  for (const name of new Set([...Object.keys(a.headers), ...Object.keys(b.headers)])) {
    if (a.headers[name] !== b.headers[name]) differences.push({ request: `${label}: header ${name}`, front: a.headers[name] ?? "(absent)", next: b.headers[name] ?? "(absent)" });
  }
  if (a.body !== b.body) differences.push({ request: `${label}: body`, front: a.body.slice(0, 2000), next: b.body.slice(0, 2000) });
  return { front: front!, next: next! };
}

function expectSame(differences: Difference[]) {
  expect(differences, differences.map((d) => `${d.request}\n  front: ${String(d.front)}\n  next:  ${String(d.next)}`).join("\n")).toEqual([]);
}

/** A table path with this side's resources in its parameters. */
function pathOf(route: RouteSpec, side: Side, params: Partial<Record<string, string>> = {}): string {
  const values: Record<string, string> = {
    projectId: side.projectId,
    state: side.state,
    id: route.path.startsWith("/v1/webhook-endpoints") ? side.endpointId : side.accountId,
    platform: "tiktok",
    ...params,
  } as Record<string, string>;
  return route.path.replace(/:(\w+)/g, (_, name: string) => values[name]!);
}

/** A valid request to every route for the side's existing resources (the callback's for an unknown state: it spends nothing). */
const EXAMPLES: Record<RouteId, (side: Side) => Omit<Req, "method">> = {
  createOAuthUrl: (s) => ({ path: pathOf(ROUTE.createOAuthUrl, s), json: { platform: "tiktok", returnUrl: RETURN_URL } }),
  getOAuthStatus: (s) => ({ path: pathOf(ROUTE.getOAuthStatus, s) }),
  oauthCallback: () => ({ path: "/v1/social/oauth/callback/tiktok?state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A&code=nope" }),
  listSocialAccounts: (s) => ({ path: pathOf(ROUTE.listSocialAccounts, s) }),
  getSocialAccount: (s) => ({ path: pathOf(ROUTE.getSocialAccount, s) }),
  disconnectSocialAccount: (s) => ({ path: pathOf(ROUTE.disconnectSocialAccount, s) }),
  refreshSocialAccount: (s) => ({ path: pathOf(ROUTE.refreshSocialAccount, s) }),
  createWebhookEndpoint: (s) => ({ path: pathOf(ROUTE.createWebhookEndpoint, s), json: { url: WEBHOOK_URL } }),
  listWebhookEndpoints: (s) => ({ path: pathOf(ROUTE.listWebhookEndpoints, s) }),
  deleteWebhookEndpoint: (s) => ({ path: pathOf(ROUTE.deleteWebhookEndpoint, s) }),
  rotateWebhookSecret: (s) => ({ path: pathOf(ROUTE.rotateWebhookSecret, s) }),
  testWebhookEndpoint: (s) => ({ path: pathOf(ROUTE.testWebhookEndpoint, s) }),
  openApiDocument: () => ({ path: "/v1/openapi.json" }),
};
const ROUTE = Object.fromEntries(ROUTES.map((route) => [route.id, route])) as Record<RouteId, RouteSpec>;
const KEYED = ROUTES.filter((route) => route.scopes !== null);
const PATHS = [...new Set(ROUTES.map((route) => route.path))];
const route = (id: RouteId) => ROUTE[id];

const example = (id: RouteId, extra: Partial<Req> = {}) => (side: Side): Req => ({ method: route(id).method, key: keys.full, ...EXAMPLES[id](side), ...extra });

test("every route's valid requests, through a whole lifecycle, answer alike", async () => {
  const differences: Difference[] = [];
  const seen = new Set<RouteId>();
  const at = async (id: RouteId, label: string, build: (side: Side) => Req) => {
    seen.add(id);
    return compare(differences, `${route(id).method} ${route(id).path} (${label})`, build);
  };
  const made = {} as Record<Front, { state: string; accountId: string; endpointId: string }>;
  const created = await at("createOAuthUrl", "valid", example("createOAuthUrl"));
  // Idempotency keys belong to the API key, which both sides share: each side sends its own.
  const idempotent = (s: Side) => example("createOAuthUrl", { headers: { "idempotency-key": `fronts-${s.front}-${dbName}` } })(s);
  await at("createOAuthUrl", "with an Idempotency-Key", idempotent);
  await at("createOAuthUrl", "the Idempotency-Key replayed", idempotent);
  await at("createOAuthUrl", "the Idempotency-Key with another body", (s) => ({ ...idempotent(s), json: { platform: "instagram", returnUrl: RETURN_URL } }));
  for (const front of FRONTS) made[front] = { state: JSON.parse(created[front].text).state, accountId: "", endpointId: "" };
  await at("getOAuthStatus", "pending", (s) => ({ method: "GET", path: `/v1/social/oauth-status/${made[s.front].state}`, key: keys.full }));
  await at("getOAuthStatus", "pending, ?wait=1 long-poll", (s) => ({ method: "GET", path: `/v1/social/oauth-status/${made[s.front].state}?wait=1`, key: keys.full }));
  const callbacks = {} as Record<Front, string>;
  for (const front of FRONTS) callbacks[front] = await consent(sides[front], JSON.parse(created[front].text).authorizeUrl, "lifecycle_creator");
  await at("oauthCallback", "the sandbox's code", (s) => ({ method: "GET", path: callbacks[s.front] }));
  await at("oauthCallback", "the same code again", (s) => ({ method: "GET", path: callbacks[s.front] }));
  await at("oauthCallback", "an unknown state", example("oauthCallback"));
  const cancelled = {} as Record<Front, string>;
  for (const front of FRONTS) cancelled[front] = (await createAttempt(sides[front])).state;
  await at("oauthCallback", "cancelled at the platform", (s) => ({ method: "GET", path: `/v1/social/oauth/callback/tiktok?state=${cancelled[s.front]}&error=access_denied` }));
  await at("getOAuthStatus", "failed", (s) => ({ method: "GET", path: `/v1/social/oauth-status/${cancelled[s.front]}`, key: keys.full }));
  const status = await at("getOAuthStatus", "completed", (s) => ({ method: "GET", path: `/v1/social/oauth-status/${made[s.front].state}?wait=5`, key: keys.full }));
  for (const front of FRONTS) made[front].accountId = JSON.parse(status[front].text).socialAccountId;
  await at("listSocialAccounts", "valid", example("listSocialAccounts"));
  await at("listSocialAccounts", "?limit=1", (s) => ({ ...example("listSocialAccounts")(s), path: `/v1/projects/${s.projectId}/social/accounts?limit=1` }));
  await at("getSocialAccount", "valid", (s) => ({ method: "GET", path: `/v1/social/accounts/${made[s.front].accountId}`, key: keys.full }));
  await at("refreshSocialAccount", "valid", (s) => ({ method: "POST", path: `/v1/social/accounts/${made[s.front].accountId}/refresh`, key: keys.full }));
  const endpoint = await at("createWebhookEndpoint", "valid", example("createWebhookEndpoint"));
  for (const front of FRONTS) made[front].endpointId = JSON.parse(endpoint[front].text).id;
  await at("listWebhookEndpoints", "valid", example("listWebhookEndpoints"));
  await at("rotateWebhookSecret", "valid", (s) => ({ method: "POST", path: `/v1/webhook-endpoints/${made[s.front].endpointId}/rotate-secret`, key: keys.full }));
  await at("testWebhookEndpoint", "valid", (s) => ({ method: "POST", path: `/v1/webhook-endpoints/${made[s.front].endpointId}/test`, key: keys.full }));
  await at("deleteWebhookEndpoint", "valid", (s) => ({ method: "DELETE", path: `/v1/webhook-endpoints/${made[s.front].endpointId}`, key: keys.full }));
  await at("deleteWebhookEndpoint", "already deleted", (s) => ({ method: "DELETE", path: `/v1/webhook-endpoints/${made[s.front].endpointId}`, key: keys.full }));
  await at("rotateWebhookSecret", "a deleted endpoint", (s) => ({ method: "POST", path: `/v1/webhook-endpoints/${made[s.front].endpointId}/rotate-secret`, key: keys.full }));
  await at("disconnectSocialAccount", "valid", (s) => ({ method: "DELETE", path: `/v1/social/accounts/${made[s.front].accountId}`, key: keys.full }));
  await at("disconnectSocialAccount", "already disconnected", (s) => ({ method: "DELETE", path: `/v1/social/accounts/${made[s.front].accountId}`, key: keys.full }));
  await at("getSocialAccount", "disconnected", (s) => ({ method: "GET", path: `/v1/social/accounts/${made[s.front].accountId}`, key: keys.full }));
  await at("refreshSocialAccount", "disconnected", (s) => ({ method: "POST", path: `/v1/social/accounts/${made[s.front].accountId}/refresh`, key: keys.full }));
  await at("openApiDocument", "without a key", example("openApiDocument", { key: undefined }));
  await at("openApiDocument", "with a key", example("openApiDocument"));
  expect([...seen].sort(), "every route in the table is exercised").toEqual(ROUTES.map((r) => r.id).sort());
  expectSame(differences);
});

test("HEAD on every GET route answers as GET does, without a body", async () => {
  const differences: Difference[] = [];
  for (const r of ROUTES.filter((r) => r.method === "GET")) {
    const id = r.id as RouteId;
    const head = await compare(differences, `HEAD ${r.path}`, example(id, { method: "HEAD" }));
    expect(head.front.text, `HEAD ${r.path} has no body`).toBe("");
    expect(head.next.text, `HEAD ${r.path} has no body`).toBe("");
  }
  expectSame(differences);
});

test("every keyed route without a key, with a bad one, or without its scope is refused alike", async () => {
  const differences: Difference[] = [];
  for (const r of KEYED) {
    const id = r.id as RouteId;
    await compare(differences, `${r.method} ${r.path} without a key`, example(id, { key: undefined }));
    await compare(differences, `${r.method} ${r.path} with an unknown key`, example(id, { key: "lp_test_nope" }));
    await compare(differences, `${r.method} ${r.path} with Basic auth`, (s) => ({ ...example(id, { key: undefined })(s), headers: { authorization: "Basic eDp5" } }));
    await compare(differences, `${r.method} ${r.path} with the key and junk after it`, (s) => example(id, { key: `${keys.full}x` })(s));
    if (!r.scopes!.includes("social:read")) await compare(differences, `${r.method} ${r.path} with a key lacking the scope`, example(id, { key: keys.readOnly }));
  }
  expectSame(differences);
});

test("other methods at every table path, and unknown /v1 paths, are refused alike", async () => {
  const differences: Difference[] = [];
  // TRACE and methods Node's parser does not know are the front's alone to answer (bare `next start`
  // answers TRACE with its own text 500 before proxy.ts runs): v1-answers.spec.ts checks the front's answer.
  const methods: string[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
  for (const path of PATHS) {
    const served = methodsAt(path);
    const some = ROUTES.find((r) => r.path === path)!;
    for (const method of methods.filter((m) => !served.includes(m as HttpMethod))) {
      for (const key of [keys.full, undefined]) {
        await compare(differences, `${method} ${path} ${key ? "with" : "without"} a key`, (s) => ({ method, path: pathOf(some, s), key, ...(method === "POST" || method === "PUT" || method === "PATCH" ? { json: {} } : {}) }));
      }
    }
    if (!served.includes("GET")) await compare(differences, `HEAD ${path}`, (s) => ({ method: "HEAD", path: pathOf(some, s), key: keys.full }));
  }
  const unknown = [
    "/v1", "/v1/", "/V1/social/accounts/sa_01", "/v1/nope", "/v1/projects", "/v1/projects/", "/v1/social", "/v1/social/accounts", "/v1/webhook-endpoints",
    "/v1/openapi.json/", "/v1/openapi", "/v1/social/oauth-status", "/v1/social/oauth/callback", "/v1/projects/PROJECT/social", "/v1/projects/PROJECT/social/accounts/extra",
    "/v1/social/accounts/ACCOUNT/refresh/now", "/v1/webhook-endpoints/ENDPOINT/rotate-secret/", "/v1/social/oauth-status/STATE/",
    "/v1/social/accounts/%zz", "/v1/social/oauth-status/%C0%AF", "/v1/social/oauth-status/%", "/v1/social/accounts/a%2Fb",
  ];
  // Not compared: empty and dot segments ("/v1//social/accounts", "/v1/%2e%2e/v1/openapi.json"). Next
  // resolves them before proxy.ts runs (a 308 to the resolved path without any of the site's headers,
  // or the resolved route's answer); the front refuses them 404 NOT_FOUND. faults/fuzz.spec.ts checks each front's answers.
  for (const path of unknown) {
    for (const method of ["GET", "POST", "DELETE"]) {
      await compare(differences, `${method} ${path}`, (s) => ({
        method,
        path: path.replace("PROJECT", s.projectId).replace("ACCOUNT", s.accountId).replace("ENDPOINT", s.endpointId).replace("STATE", s.state),
        key: keys.full,
      }));
    }
  }
  expectSame(differences);
});

test("bad path parameters and query strings are answered alike", async () => {
  const differences: Difference[] = [];
  const unknownIds: Record<string, string> = {
    projectId: "prj_01HXZ8K2M4P5QRS6TV7WXYZ9AB",
    state: "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A",
    id: "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB",
    platform: "myspace",
  };
  for (const r of ROUTES.filter((r) => r.path.includes(":"))) {
    const id = r.id as RouteId;
    const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    for (const name of names) {
      const unknownId = name === "id" && r.path.startsWith("/v1/webhook-endpoints") ? "we_01HXZ8K2M4P5QRS6TV7WXYZ9AB" : unknownIds[name]!;
      for (const [what, value] of [["malformed", "x"], ["unknown", unknownId], ["of the wrong kind", name === "projectId" ? "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB" : "prj_01HXZ8K2M4P5QRS6TV7WXYZ9AB"], ["lowercase", unknownId.toLowerCase()], ["very long", "a".repeat(3000)], ["a NUL", "%00"], ["encoded", encodeURIComponent("é/x")]] as const) {
        const query = r.id === "oauthCallback" ? "?state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A&code=nope" : "";
        await compare(differences, `${r.method} ${r.path} with :${name} ${what}`, (s) => ({ ...example(id)(s), path: pathOf(r, s, { [name]: value }) + query }));
      }
    }
  }
  const queries: Array<[RouteId, string]> = [
    ["listSocialAccounts", "?limit=0"], ["listSocialAccounts", "?limit=101"], ["listSocialAccounts", "?limit=abc"], ["listSocialAccounts", "?limit=1&limit=2"],
    ["listSocialAccounts", "?cursor=nope"], ["listSocialAccounts", "?cursor=%00"], ["listSocialAccounts", "?unknown=1"], ["listSocialAccounts", "?platform=myspace"],
    ["listWebhookEndpoints", "?limit=2"], ["listWebhookEndpoints", "?limit=-1"], ["listWebhookEndpoints", "?cursor=" + "c".repeat(500)],
    ["getOAuthStatus", "?wait=0"], ["getOAuthStatus", "?wait=31"], ["getOAuthStatus", "?wait=abc"], ["getOAuthStatus", "?wait=1"], ["getOAuthStatus", "?x=%zz"],
    ["oauthCallback", ""], ["oauthCallback", "?state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A"], ["oauthCallback", "?code=x"], ["oauthCallback", "?state=nope&code=x"],
    ["oauthCallback", "?state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A&error=access_denied"],
    ["getSocialAccount", "?a=%00"], ["openApiDocument", "?format=yaml"], ["createOAuthUrl", "?x=1"],
  ];
  for (const [id, query] of queries) {
    await compare(differences, `${route(id).method} ${route(id).path}${query}`, (s) => {
      const req = example(id)(s);
      return { ...req, path: req.path.split("?")[0]! + query };
    });
  }
  expectSame(differences);
});

test("bad bodies are answered alike", async () => {
  const differences: Difference[] = [];
  const bodies: Array<[string, Partial<Req>]> = [
    ["invalid JSON", { body: "{", headers: { "content-type": "application/json" } }],
    ["an empty body", { body: "", headers: { "content-type": "application/json" } }],
    ["no body", {}],
    ["a JSON array", { json: [] }],
    ["JSON null", { body: "null", headers: { "content-type": "application/json" } }],
    ["the wrong types", { json: { platform: 1, returnUrl: 7, url: 7 } }],
    ["unknown fields", { json: { platform: "tiktok", returnUrl: RETURN_URL, url: WEBHOOK_URL, extra: true } }],
    ["text/plain", { body: JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }), headers: { "content-type": "text/plain" } }],
    ["a form", { body: "platform=tiktok", headers: { "content-type": "application/x-www-form-urlencoded" } }],
    ["a NUL", { body: `{"platform":"tiktok","returnUrl":"${RETURN_URL}","usageNote":"a\\u0000b"}`, headers: { "content-type": "application/json" } }],
    ["40 levels deep", { body: `{"platform":"tiktok","scopes":${"[".repeat(40)}${"]".repeat(40)}}`, headers: { "content-type": "application/json" } }],
    ["70 KiB", { json: { platform: "tiktok", returnUrl: RETURN_URL, url: WEBHOOK_URL, usageNote: "x".repeat(70 * 1024) } }],
    ["a disallowed returnUrl", { json: { platform: "tiktok", returnUrl: "https://evil.example/return" } }],
    ["a private webhook URL", { json: { url: "https://127.0.0.1/hook" } }],
    ["an http webhook URL", { json: { url: "http://93.184.216.34/hook" } }],
  ];
  for (const r of ROUTES.filter((r) => r.method === "POST")) {
    const id = r.id as RouteId;
    for (const [what, extra] of bodies) {
      await compare(differences, `POST ${r.path} with ${what}`, (s) => {
        const { json: _json, body: _body, ...rest } = example(id)(s);
        return { ...rest, ...extra, headers: { ...extra.headers } };
      });
    }
  }
  expectSame(differences);
});

test("a spent budget is refused alike", async () => {
  const differences: Difference[] = [];
  // The budget key allows two writes and two reads a minute, counted by each server; only this test
  // uses it, sending each request to both at once, so both budgets stand alike at every step.
  const remaining = (answers: Record<Front, Answer>) => FRONTS.map((f) => answers[f].headers["x-ratelimit-remaining"]);
  for (let i = 0; i < 3; i++) {
    for (const [what, id] of [["write", "createOAuthUrl"], ["read", "listSocialAccounts"]] as const) {
      const label = `${what} ${i + 1} of a 2-a-minute budget`;
      const answers = await compare(differences, label, (s) => ({ ...example(id)(s), key: keys.budget }));
      const [front, next] = remaining(answers);
      if (front !== next) differences.push({ request: `${label}: header x-ratelimit-remaining`, front, next });
      // The third of each is over the budget: the comparison covers the 429 too.
      if (i === 2) expect(answers.front.status, label).toBe(429);
    }
  }
  expectSame(differences);
});
