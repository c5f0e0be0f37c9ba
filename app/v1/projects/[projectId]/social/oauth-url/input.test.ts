/**
 * Bounded input on /v1 (CONTRACT.md §3): bodies judged by bytes before they
 * are read whole, NUL characters and deep JSON refused as VALIDATION, and an
 * unexpected fault answered generically, with nothing of the failed query.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "@/server/contract/routes";
import { route } from "@/server/http/route";
import type { Services } from "@/server/services";
import { failingQuery, QUERY_LEAKS } from "@/test-support/failingQuery";
import { type ApiResponse, capturedLogs, request, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";

let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";
const path = () => `/v1/projects/${tenant.projectId}/social/oauth-url`;

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  tenant = await seedTenant(services, { allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await services.close();
});

function expectError(res: ApiResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
}

const raw = (rawBody: string, headers: Record<string, string> = {}) =>
  request(api, "POST", path(), { token: tenant.token, rawBody, headers: { "content-type": "application/json", ...headers } });

/** A body streamed in 16 KiB chunks with no Content-Length (chunked), or a lying one. */
async function streamed(totalBytes: number, headers: Record<string, string> = {}) {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      sent += 16 * 1024;
      controller.enqueue(new TextEncoder().encode(" ".repeat(16 * 1024)));
    },
  });
  const res = await fetch(api.url + path(), {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.token}`, "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  return { status: res.status, body: await res.json(), sent };
}

describe("POST oauth-url: body size", () => {
  it("413 PAYLOAD_TOO_LARGE for a 70 KiB body, in the error model", async () => {
    const res = await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL, usageNote: "x".repeat(70 * 1024) }));
    expectError(res, 413, "PAYLOAD_TOO_LARGE");
    expect(res.body.error.message).toMatch(/64 KiB/);
  });

  it("judges by bytes: 30k three-byte characters are over 64 KiB", async () => {
    expectError(await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL, usageNote: "€".repeat(30_000) })), 413, "PAYLOAD_TOO_LARGE");
  });

  it("413 for a chunked 1 MB body with no Content-Length, reading only past the limit", async () => {
    const res = await streamed(1024 * 1024);
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 413, code: "PAYLOAD_TOO_LARGE" });
  });

  it("after a 413 for a declared length (or a 404 before the body), the keep-alive connections serve the next requests", async () => {
    // The handler refuses these without reading the body; the front discards what it left in the socket.
    // Left there, a later request on that connection waited behind it until the connection was reset.
    const body = JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL, usageNote: "x".repeat(200_000) });
    for (let round = 0; round < 4; round++) {
      expect((await raw(body)).status).toBe(413);
      const missing = await request(api, "POST", "/v1/projects/prj_01HZZZZZZZZZZZZZZZZZZZZZZZ/social/oauth-url", {
        token: tenant.token,
        rawBody: body.slice(0, 50_000),
        headers: { "content-type": "application/json" },
      });
      expect(missing.status).toBe(404);
      expect((await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }))).status).toBe(200);
    }
  });

  it("answers normally when the Host header is not a plain host name (no handler reads it)", async () => {
    const url = new URL(api.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: `/v1/projects/${tenant.projectId}/social/oauth-url`, method: "POST", setHost: false, headers: { host: "bad host", authorization: `Bearer ${tenant.token}`, "content-type": "application/json" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }));
    });
    expect(status).toBe(200);
  });

  it("accepts a body of just under 64 KiB (the limit is not the 500-character usageNote rule)", async () => {
    const padded = JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }).replace("{", `{${" ".repeat(60 * 1024)}`);
    expect((await raw(padded)).status).toBe(200);
  });
});

describe("POST oauth-url: NUL and depth", () => {
  it("400 VALIDATION for a NUL in usageNote (PostgreSQL would refuse it: a 500 before)", async () => {
    const res = await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL, usageNote: "note\u0000" }));
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues).toEqual([{ path: "usageNote", message: "must not contain a NUL character" }]);
  });

  it("400 VALIDATION for JSON 40 levels deep", async () => {
    const res = await raw(`{"platform":"tiktok","returnUrl":"${RETURN_URL}","scopes":${"[".repeat(40)}${"]".repeat(40)}}`);
    expectError(res, 400, "VALIDATION");
    expect(res.body.error.issues[0].message).toMatch(/deeper than 32/);
  });

  it("400 VALIDATION, not a stack overflow, for a 100k-deep array with an Idempotency-Key; the server answers on", async () => {
    const res = await raw("[".repeat(30_000) + "]".repeat(30_000), { "idempotency-key": `deep-${Math.random()}` });
    expectError(res, 400, "VALIDATION");
    // 100k brackets each way is 200 KB: over the byte limit, refused before any parsing.
    expectError(await raw("[".repeat(100_000) + "]".repeat(100_000), { "idempotency-key": `deep-${Math.random()}` }), 413, "PAYLOAD_TOO_LARGE");
    expect((await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }))).status).toBe(200);
  });

  it("validates the body before fingerprinting it: an invalid body with a used key is 400, a valid replay still the first answer", async () => {
    const key = `idem-${Math.random()}`;
    const first = await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }), { "idempotency-key": key });
    expect(first.status).toBe(200);
    expectError(await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL, extra: 1 }), { "idempotency-key": key }), 400, "VALIDATION");
    const replay = await raw(JSON.stringify({ returnUrl: RETURN_URL, platform: "tiktok" }), { "idempotency-key": key });
    expect(replay.body).toEqual(first.body);
  });

  it("the project's 404 still comes before the body's 400", async () => {
    const res = await request(api, "POST", "/v1/projects/prj_01HZZZZZZZZZZZZZZZZZZZZZZZ/social/oauth-url", {
      token: tenant.token,
      rawBody: JSON.stringify({ usageNote: "\u0000" }),
      headers: { "content-type": "application/json" },
    });
    expectError(res, 404, "NOT_FOUND");
  });

  it("400 VALIDATION for a NUL in a path parameter or in the query", async () => {
    // The callback stores the platform's error_description: a NUL there was a failed write (a 500).
    const { state } = (await raw(JSON.stringify({ platform: "tiktok", returnUrl: RETURN_URL }))).body;
    const callback = await fetch(`${api.url}/v1/social/oauth/callback/tiktok?state=${state}&error=server_error&error_description=a%00b`, { redirect: "manual" });
    expect(callback.status).toBe(400);
    expect(await callback.text()).toMatch(/not valid/);
    expect((await request(api, "GET", `/v1/social/oauth-status/${state}`, { token: tenant.token })).body.status).toBe("pending");
    const keyed = await request(api, "GET", "/v1/social/oauth-status/st_01HXZ8K2M4P5QRS6TV7WXYZ9AB%00", { token: tenant.token });
    expectError(keyed, 400, "VALIDATION");
    const inQuery = await request(api, "GET", `/v1/projects/${tenant.projectId}/social/accounts?utm=%00`, { token: tenant.token });
    expectError(inQuery, 400, "VALIDATION");
    expect(inQuery.body.error.issues).toEqual([{ path: "query.utm", message: "must not contain a NUL character" }]);
  });
});

describe("REST: an unexpected fault", () => {
  it("answers INTERNAL with the request id and nothing of the failed query; the log has the class and stack frames, not the parameters", async () => {
    const handler = route(routes.getOAuthStatus, ({ services: s }) => failingQuery(s.database.db));
    capturedLogs.length = 0;
    const res = await handler(
      new Request("http://layers.test/v1/social/oauth-status/st_01HXZ8K2M4P5QRS6TV7WXYZ9AB", { headers: { authorization: `Bearer ${tenant.token}` } }),
      { params: Promise.resolve({ state: "st_01HXZ8K2M4P5QRS6TV7WXYZ9AB" }) },
    );
    const text = await res.text();
    const requestId = res.headers.get("x-request-id")!;
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: expect.stringContaining(requestId), requestId } });
    expect(text).not.toMatch(QUERY_LEAKS);
    const fault = capturedLogs.find((line) => line.msg === "unhandled error")!;
    expect(fault).toMatchObject({ requestId, error: expect.stringMatching(/^query failed: \w+ \[22P02\]/), stack: expect.stringMatching(/^\s+at /) });
    expect(JSON.stringify(capturedLogs)).not.toMatch(QUERY_LEAKS);
  });
});
