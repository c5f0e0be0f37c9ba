import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { expect, test } from "@playwright/test";
import { type Instance, startInstance } from "../e2e/support/layers";
import { cleanEnv, freePort, freshDataDir, Proc } from "../e2e/support/processes";

/**
 * Issue 9 items 4 and 6 over HTTP against `npm start`: every /v1 answer is
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
  expect(body.error.message).toEqual(expect.any(String));
  if (status === 405) expect(answer.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE");
}

for (const [method, path, status, code] of cases) {
  test(`${method} ${path} is ${status} ${code} in the JSON error model with X-Request-Id`, async () => {
    expectErrorModel(await raw(method, path), status, code);
  });
}

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

test("the front answers requests Node's parser refuses in the error model: an unknown method 405 with Allow, a malformed request 400", async () => {
  expectErrorModel(await rawSocket("FOO /v1/social/accounts/sa_01 HTTP/1.1\r\nHost: x\r\n\r\n"), 405, "METHOD_NOT_ALLOWED");
  expectErrorModel(await rawSocket("GET /v1/social/accounts/sa_01 HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"), 400, "VALIDATION");
  expectErrorModel(await rawSocket("GET /v1/social/accounts/sa_01 HTTP/1.1\r\nBad Header\r\n\r\n"), 400, "VALIDATION");
});

/**
 * proxy.ts alone, under `next start` without the front: the same answers,
 * except TRACE, which Next rejects with its own text 500 before proxy runs
 * (the front, which `npm start` always runs, answers it).
 */
test.describe("under bare next start (proxy.ts)", () => {
  let nextStart: Proc;
  let base: string;
  test.beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    const env = cleanEnv({ LAYERS_DATA_DIR: freshDataDir(), LAYERS_PUBLIC_URL: base });
    nextStart = new Proc(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], env, { name: "next start" });
    await nextStart.waitUntilAnswering(base);
  });
  test.afterAll(async () => nextStart.stop());

  test("answers every refused /v1 request but TRACE in the JSON error model with X-Request-Id", async () => {
    for (const [method, path, status, code] of cases) {
      if (method === "TRACE") continue;
      expectErrorModel(await raw(method, path, {}, base), status, code);
    }
  });
});

test("a refused /v1 request reuses a valid incoming X-Request-Id and is logged once", async () => {
  const id = `e2e-refused-${randomBytes(6).toString("hex")}`;
  const answer = await raw("TRACE", "/v1/social/accounts/sa_01", { "X-Request-Id": id });
  expect(answer.headers["x-request-id"]).toBe(id);
  await instance.server.waitFor(new RegExp(`"requestId":"${id}"`));
  const lines = instance.server.output.split("\n").filter((line) => line.includes(id));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "request", method: "TRACE", route: "/v1/social/accounts/sa_01", status: 405 });
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
  await instance.server.waitFor(new RegExp(`"requestId":"${id}"`));
  const lines = instance.server.output.split("\n").filter((line) => line.includes(`"requestId":"${id}"`));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

test("hosted-page, console, tRPC and /v1 requests each produce one JSON log line with id, route, status and duration, and no query or state", async () => {
  const state = `st_${"S".repeat(32)}`;
  const requests: Array<[string, string, string]> = [
    ["/connect/" + state + "?utm=secretquery", "/connect/:state", "hosted"],
    ["/console?secretquery=1", "/console", "console"],
    ["/api/trpc/session.me?input=secretquery", "/api/trpc/session.me", "trpc"],
    [`/v1/social/oauth-status/${state}?secretquery=1`, "/v1/social/oauth-status/:state", "v1"],
  ];
  for (const [path, route, label] of requests) {
    const id = `e2e-${label}-${randomBytes(6).toString("hex")}`;
    const answer = await raw("GET", path, { "X-Request-Id": id });
    expect(answer.headers["x-request-id"]).toBe(id);
    const line = await logLineOf(id);
    expect(line).toMatchObject({ level: "info", msg: "request", method: "GET", status: answer.status });
    expect(typeof line.durationMs).toBe("number");
    expect(line.route).toBe(route);
  }
  expect(instance.server.output).not.toContain("secretquery");
  expect(instance.server.output).not.toContain(state);
});
