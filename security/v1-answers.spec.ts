import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { expect, test } from "@playwright/test";
import { FRONT_ONLY, type Instance, startInstance } from "../e2e/support/layers";

/**
 * Issue 9 items 4 and 6 over HTTP, through each front (playwright.config.ts:
 * `npm start`'s front, and bare `next start` with proxy.ts): every /v1 answer is
 * the contract's JSON error body with an X-Request-Id (malformed paths,
 * methods Next cannot route, /v1 itself, trailing slashes, /V1); /healthz and
 * /readyz answer without a key; every request gets one JSON log line
 * without its query or an attempt's state.
 */
let instance: Instance;
test.beforeAll(async () => {
  instance = await startInstance((url) => [`${url}/connect/return`]);
});
test.afterAll(async () => instance.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Through node:http, which sends the path as given (fetch would normalise `%zz`, `/V1`...). */
function raw(method: string, path: string, headers: Record<string, string> = {}, base = instance.url): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

const cases: Array<[string, string, number, string]> = [
  ["GET", "/v1/social/oauth-status/%zz", 400, "VALIDATION"],
  ["GET", "/v1/social/oauth-status/%", 400, "VALIDATION"],
  ["GET", "/v1/social/oauth-status/%C0%AF", 400, "VALIDATION"],
  ["TRACE", "/v1/social/accounts/sa_01", 405, "METHOD_NOT_ALLOWED"],
  ["OPTIONS", "/v1/projects/prj_01/social/oauth-url", 405, "METHOD_NOT_ALLOWED"],
  ["GET", "/v1", 404, "NOT_FOUND"],
  ["GET", "/v1/", 404, "NOT_FOUND"],
  ["GET", "/V1/social/accounts/sa_01", 404, "NOT_FOUND"],
  ["GET", "/v1/openapi.json/", 404, "NOT_FOUND"],
  ["GET", "/v1/social/oauth-status/st_x/", 404, "NOT_FOUND"],
  ["GET", "/v1/no/such/endpoint", 404, "NOT_FOUND"],
];

/** One answer is the contract's error body with `code`, `status` and an X-Request-Id. */
function expectErrorModel(answer: RawAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toContain("application/json");
  const requestId = answer.headers["x-request-id"];
  expect(requestId).toMatch(/^req_[0-9A-Z]{26}$/);
  const body = JSON.parse(answer.text) as { error: { code: string; message: string; requestId: string } };
  expect(body.error).toMatchObject({ code, requestId });
  if (answer.text) expect(answer.text.endsWith("}\n"), "a JSON answer ends with a newline").toBe(true);
  expect(body.error.message).toEqual(expect.any(String));
  if (status === 405) expect(answer.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE");
}

for (const [method, path, status, code] of cases) {
  // TRACE is the front's alone: bare `next start` answers it with Next's own text 500 before proxy.ts runs.
  const tag = method === "TRACE" ? [FRONT_ONLY] : [];
  test(`${method} ${path} is ${status} ${code} in the JSON error model with X-Request-Id`, { tag }, async () => {
    expectErrorModel(await raw(method, path), status, code);
  });
}

test("every kind of JSON answer ends with a newline: a success, a handler's error, the catch-all's 404", async () => {
  const auth = { authorization: `Bearer ${instance.key}`, "content-type": "application/json" };
  const created = await fetch(`${instance.url}/v1/projects/${instance.projectId}/social/oauth-url`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ platform: "tiktok", returnUrl: `${instance.url}/connect/return` }),
  });
  const bad = await fetch(`${instance.url}/v1/projects/${instance.projectId}/social/oauth-url`, { method: "POST", headers: auth, body: "{}" });
  const missing = await fetch(`${instance.url}/v1/nothing-here`, { headers: auth });
  for (const [name, res, status] of [["success", created, 200], ["validation error", bad, 400], ["catch-all", missing, 404]] as const) {
    expect(res.status, name).toBe(status);
    const text = await res.text();
    expect(text.endsWith("}\n"), name).toBe(true);
    expect(() => JSON.parse(text), name).not.toThrow();
  }
});

/** Bytes straight onto a socket, for requests Node's HTTP parser refuses before any handler runs. */
function rawSocket(bytes: string, base = instance.url): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ status: Number(statusLine.split(" ")[1]), headers, text: body });
    });
  });
}

// Front only: under bare `next start` Node's own parser answers these (a bare 400, no body or id); the front's clientError handler answers them.
test("the front answers requests Node's parser refuses in the error model: an unknown method 405 with Allow, a malformed request 400", { tag: FRONT_ONLY }, async () => {
  expectErrorModel(await rawSocket("FOO /v1/social/accounts/sa_01 HTTP/1.1\r\nHost: x\r\n\r\n"), 405, "METHOD_NOT_ALLOWED");
  expectErrorModel(await rawSocket("GET /v1/social/accounts/sa_01 HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"), 400, "VALIDATION");
  expectErrorModel(await rawSocket("GET /v1/social/accounts/sa_01 HTTP/1.1\r\nBad Header\r\n\r\n"), 400, "VALIDATION");
});

/** A refused /v1 request with a valid X-Request-Id of its own: the answer reuses it, and one log line has it. */
async function expectRefusalLoggedOnce(method: string, path: string) {
  const id = `e2e-refused-${randomBytes(6).toString("hex")}`;
  const answer = await raw(method, path, { "X-Request-Id": id });
  expect(answer.headers["x-request-id"]).toBe(id);
  await instance.server.waitFor(new RegExp(`"requestId":"${id}"`), 15_000);
  const lines = instance.server.output.split("\n").filter((line) => line.includes(id));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "request", method, route: path, status: 405 });
}

test("a refused /v1 request reuses a valid incoming X-Request-Id and is logged once", async () => {
  await expectRefusalLoggedOnce("OPTIONS", "/v1/social/accounts/sa_01");
});

// Front only: TRACE (see the cases above).
test("a refused TRACE reuses a valid incoming X-Request-Id and is logged once", { tag: FRONT_ONLY }, async () => {
  await expectRefusalLoggedOnce("TRACE", "/v1/social/accounts/sa_01");
});

test("GET /healthz is 200 { status: ok } and GET /readyz is 200 ready with the embedded database, without a key", async () => {
  const health = await raw("GET", "/healthz");
  expect(health.status).toBe(200);
  expect(JSON.parse(health.text)).toEqual({ status: "ok" });
  const ready = await raw("GET", "/readyz");
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.text)).toEqual({ status: "ready", database: "ok", redis: "not_configured" });
});

/** The one log line of the request sent with X-Request-Id `id`. */
async function logLineOf(id: string): Promise<Record<string, unknown>> {
  await instance.server.waitFor(new RegExp(`"requestId":"${id}"`), 15_000);
  const lines = instance.server.output.split("\n").filter((line) => line.includes(`"requestId":"${id}"`));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

const secretState = `st_${"S".repeat(32)}`;

/** Each request is answered with the X-Request-Id it sent and logged once, by its route, without query or state. */
async function expectLoggedOnce(requests: Array<[path: string, route: string, label: string]>) {
  for (const [path, route, label] of requests) {
    const id = `e2e-${label}-${randomBytes(6).toString("hex")}`;
    const answer = await raw("GET", path, { "X-Request-Id": id });
    expect(answer.headers["x-request-id"], path).toBe(id);
    const line = await logLineOf(id);
    expect(line).toMatchObject({ level: "info", msg: "request", method: "GET", status: answer.status });
    expect(typeof line.durationMs).toBe("number");
    expect(line.route).toBe(route);
  }
  expect(instance.server.output).not.toContain("secretquery");
  expect(instance.server.output).not.toContain(secretState);
}

test("/v1 requests each produce one JSON log line with id, route, status and duration, and no query or state", async () => {
  await expectLoggedOnce([
    [`/v1/social/oauth-status/${secretState}?secretquery=1`, "/v1/social/oauth-status/:state", "v1"],
    ["/v1/no/such/endpoint?secretquery=1", "/v1/no/such/endpoint", "v1-unknown"],
  ]);
});

// Front only: pages, the console and tRPC are logged (and given their X-Request-Id) by the front's
// access log; under bare `next start` nothing outside the /v1 handlers writes a request line.
test("hosted-page, console and tRPC requests each produce one JSON log line with id, route, status and duration, and no query or state", { tag: FRONT_ONLY }, async () => {
  await expectLoggedOnce([
    ["/connect/" + secretState + "?utm=secretquery", "/connect/:state", "hosted"],
    ["/console?secretquery=1", "/console", "console"],
    ["/api/trpc/session.me?input=secretquery", "/api/trpc/session.me", "trpc"],
  ]);
});
