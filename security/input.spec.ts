import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { api, FRONT_ONLY, type Instance, startInstance } from "../e2e/support/layers";

/**
 * Issue 8 item 2 over HTTP, through each front: bodies are judged by bytes
 * before they are read whole on /v1, /api/trpc, next-auth and the console's
 * server actions; NUL characters and deep JSON are 400 VALIDATION, never a
 * 500, and the server stays up.
 */
const returnTo = (url: string) => [`${url}/connect/return`];
const owner = { email: "input-owner@example.com", password: "correct horse battery staple" };

let instance: Instance;
test.beforeAll(async () => {
  instance = await startInstance(returnTo, {
    seed: ({ orgId }) => [{ args: ["users", "create", "--org", orgId, "--email", owner.email, "--role", "owner"], input: `${owner.password}\n` }],
  });
});
test.afterAll(async () => instance.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A POST through node:http, where fetch cannot go: a chunked body with no
 * Content-Length (`chunks` of 16 KiB), or a Content-Length declaring more
 * than is ever sent. Resolves with the answer as soon as it comes. Each on
 * its own connection: the server closes one whose body it did not read.
 */
function rawPost(path: string, headers: Record<string, string>, opts: { chunks?: number; declared?: number }): Promise<RawAnswer> {
  const url = new URL(instance.url + path);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers, agent: false }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    // The server may answer while we still write: that is the point. It must
    // not cut the connection before the answer arrives (then "close" comes first).
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    req.on("close", () => answered || reject(new Error(`the connection closed before an answer (${JSON.stringify(opts)})`)));
    if (opts.declared !== undefined) {
      req.setHeader("content-length", String(opts.declared));
      req.write(" ".repeat(1024));
      return; // never finished: a server that waited for the declared bytes would hang here
    }
    const chunk = " ".repeat(16 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < opts.chunks!) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const oauthUrl = () => `/v1/projects/${instance.projectId}/social/oauth-url`;
const auth = () => ({ authorization: `Bearer ${instance.key}`, "content-type": "application/json" });

async function postRaw(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(instance.url + oauthUrl(), { method: "POST", headers: { ...auth(), ...headers }, body });
  return { status: res.status, requestId: res.headers.get("x-request-id"), body: await res.json() };
}

function expectApiError(answer: { status: number; requestId: string | null; body: { error: { code: string; requestId: string; message: string } } }, status: number, code: string) {
  expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status, code });
  expect(answer.body.error.requestId).toBe(answer.requestId);
  expect(typeof answer.body.error.message).toBe("string");
}

test.describe("/v1 bodies", () => {
  test("a 70 KiB body is 413 PAYLOAD_TOO_LARGE in the JSON error model", async () => {
    const answer = await postRaw(JSON.stringify({ platform: "tiktok", returnUrl: `${instance.url}/connect/return`, usageNote: "x".repeat(70 * 1024) }));
    expectApiError(answer, 413, "PAYLOAD_TOO_LARGE");
  });

  test("a Content-Length of 1 MB never sent is 413", async () => {
    const answer = await rawPost(oauthUrl(), auth(), { declared: 1024 * 1024 });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", requestId: answer.headers["x-request-id"] });
  });

  test("a NUL in usageNote is 400 VALIDATION naming the field", async () => {
    const answer = await postRaw(JSON.stringify({ platform: "tiktok", returnUrl: `${instance.url}/connect/return`, usageNote: "a\u0000b" }));
    expectApiError(answer, 400, "VALIDATION");
    expect(answer.body.error.issues).toEqual([{ path: "usageNote", message: "must not contain a NUL character" }]);
  });

  test("JSON 40 levels deep is 400 VALIDATION", async () => {
    expectApiError(await postRaw(`{"platform":"tiktok","scopes":${"[".repeat(40)}${"]".repeat(40)}}`), 400, "VALIDATION");
  });

  test("deep arrays with an Idempotency-Key: 400 within the byte limit, 413 for 100k levels; never a 500, and the server answers on", async () => {
    const headers = { "idempotency-key": `deep-${Date.now()}` };
    expectApiError(await postRaw("[".repeat(30_000) + "]".repeat(30_000), headers), 400, "VALIDATION");
    // 100k levels take 100 KB even unclosed: over 64 KiB, so refused before any parsing.
    expectApiError(await postRaw("[".repeat(100_000), headers), 413, "PAYLOAD_TOO_LARGE");
    expectApiError(await postRaw("[".repeat(100_000) + "]".repeat(100_000), headers), 413, "PAYLOAD_TOO_LARGE");
    const ok = await api(instance, "POST", oauthUrl(), { platform: "tiktok", returnUrl: `${instance.url}/connect/return` });
    expect(ok.status).toBe(200);
  });

  test("a NUL in a path parameter or a query value is 400 VALIDATION", async () => {
    for (const path of ["/v1/social/oauth-status/st_01HXZ8K2M4P5QRS6TV7WXYZ9AB%00", `/v1/projects/${instance.projectId}/social/accounts?note=%00`]) {
      const res = await fetch(instance.url + path, { headers: { authorization: `Bearer ${instance.key}` } });
      expectApiError({ status: res.status, requestId: res.headers.get("x-request-id"), body: await res.json() }, 400, "VALIDATION");
    }
  });
});

test.describe("the console's endpoints", () => {
  const trpcPath = "/api/trpc/projects.create";
  const sameOrigin = () => ({ origin: instance.url, "sec-fetch-site": "same-origin", "content-type": "application/json" });

  test("/api/trpc: 70 KiB and a declared 1 MB are 413; 40 levels deep is 400", async () => {
    const big = await fetch(instance.url + trpcPath, { method: "POST", headers: sameOrigin(), body: JSON.stringify({ name: "x".repeat(70 * 1024) }) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await rawPost(trpcPath, sameOrigin(), { declared: 1024 * 1024 })).status).toBe(413);
    const deep = await fetch(instance.url + trpcPath, { method: "POST", headers: sameOrigin(), body: `{"name":${"[".repeat(40)}${"]".repeat(40)}}` });
    expect(deep.status).toBe(400);
  });

  test("/api/auth/callback/credentials: 70 KiB and a declared 1 MB are 413", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded", origin: instance.url };
    const big = await fetch(`${instance.url}/api/auth/callback/credentials`, { method: "POST", headers: form, body: `password=${"x".repeat(70 * 1024)}`, redirect: "manual" });
    expect(big.status).toBe(413);
    expect((await rawPost("/api/auth/callback/credentials", form, { declared: 1024 * 1024 })).status).toBe(413);
  });

  test("a server action (the sign-in form) over 64 KiB is refused unread; a normal one still signs in", async ({ page }) => {
    await page.goto(`${instance.url}/console/sign-in`);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill("x".repeat(70 * 1024));
    const refused = page.waitForResponse((res) => res.request().method() === "POST" && res.url().includes("/console/sign-in"));
    await page.getByRole("button", { name: /sign in/i }).click();
    // Next answers its own body limit on a fetch action with 500 (not 413), before the action runs:
    // under Next's default 1 MB this form would be read and answered "wrong password" (200).
    expect((await refused).status()).toBe(500);
    await expect.poll(() => instance.server.output).toContain("Body exceeded 64kb limit");

    await page.goto(`${instance.url}/console/sign-in`);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: /sign in/i }).click();
    await expect(page).toHaveURL(/\/console(\/)?$/);
  });
});

/**
 * Front only: the 413 reaches a client still sending its chunked upload because the front
 * lingers before closing (scripts/serve.ts). Bare `next start` closes at once, and the reset
 * of the unread bytes can wipe the answer before the client reads it (seen on /api/trpc:
 * "the connection closed before an answer").
 */
test("a chunked 1 MB body with no Content-Length is answered 413 before the connection closes, on /v1, /api/trpc and next-auth", { tag: FRONT_ONLY }, async () => {
  const v1 = await rawPost(oauthUrl(), auth(), { chunks: 64 });
  expect(v1.status).toBe(413);
  expect(JSON.parse(v1.text).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", requestId: v1.headers["x-request-id"] });
  expect((await rawPost("/api/trpc/projects.create", { origin: instance.url, "sec-fetch-site": "same-origin", "content-type": "application/json" }, { chunks: 64 })).status).toBe(413);
  expect((await rawPost("/api/auth/callback/credentials", { "content-type": "application/x-www-form-urlencoded", origin: instance.url }, { chunks: 64 })).status).toBe(413);
});
