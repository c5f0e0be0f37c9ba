import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { FRONT_ONLY, type Instance, ladmin, startInstance, startServer } from "../e2e/support/layers";
import { freePort, type Proc } from "../e2e/support/processes";

/**
 * Issue 8 items 4-6 over HTTP (through each front, see playwright.config.ts): the sign-in throttle
 * counts the socket's address whatever the client forges, an attacker's
 * failures do not lock the owner out, setup needs the code the server
 * printed, sign-in fails closed without its limiter, and a disabled user's
 * session cookie stops working.
 *
 * Sign-in posts go to next-auth's credentials endpoint, the same
 * `authorize` the console form reaches through its server action. Each
 * "client" is a loopback source address of its own (127.0.0.x), which is
 * what the front records from the socket.
 */
const returnTo = (url: string) => [`${url}/connect/return`];
const owner = { email: "owner@signin.example", password: "the owner's long password" };
const member = { email: "member@signin.example", password: "the member's long password" };

interface Reply {
  status: number;
  location: string | null;
  body: string;
  cookies: Record<string, string>;
}

/** One HTTP request from a chosen source address, without following redirects. */
function send(instance: { url: string }, from: string, method: string, path: string, opts: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string>; cookies?: Record<string, string> } = {}): Promise<Reply> {
  const url = new URL(path, instance.url);
  const body = opts.form ? new URLSearchParams(opts.form).toString() : opts.json !== undefined ? JSON.stringify(opts.json) : undefined;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.form) headers["content-type"] = "application/x-www-form-urlencoded";
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  if (opts.cookies) headers.cookie = Object.entries(opts.cookies).map(([k, v]) => `${k}=${v}`).join("; ");
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: url.port, path: url.pathname + url.search, method, headers, localAddress: from }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        const cookies: Record<string, string> = {};
        for (const line of res.headers["set-cookie"] ?? []) {
          const [pair] = line.split(";");
          const at = pair!.indexOf("=");
          cookies[pair!.slice(0, at)] = pair!.slice(at + 1);
        }
        resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body: text, cookies });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Signs in through next-auth's credentials endpoint from `from`: "ok" with
 * the session cookies, or the refusal code next-auth put in the redirect.
 */
async function signIn(instance: { url: string }, from: string, who: { email: string; password: string }, forged: Record<string, string> = {}) {
  const csrf = await send(instance, from, "GET", "/api/auth/csrf");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const reply = await send(instance, from, "POST", "/api/auth/callback/credentials", {
    form: { email: who.email, password: who.password, csrfToken, callbackUrl: "/console" },
    cookies: csrf.cookies,
    headers: forged,
  });
  expect(reply.status, reply.body).toBe(302);
  const location = new URL(reply.location!, instance.url);
  if (location.pathname === "/console") return { outcome: "ok", cookies: reply.cookies };
  return { outcome: location.searchParams.get("code") ?? location.toString(), cookies: {} };
}

const membersList = (instance: { url: string }, from: string, cookies: Record<string, string>) => send(instance, from, "GET", "/api/trpc/members.list", { cookies });

test.describe("sign-in and setup over HTTP", () => {
  test.describe.configure({ mode: "serial" });
  let instance: Instance;
  let restarted: Proc | undefined;

  test.beforeAll(async () => {
    instance = await startInstance(returnTo);
  });
  test.afterAll(async () => {
    await restarted?.stop();
    await instance.stop();
  });

  test("setup without the code or with a wrong one is refused; with the printed code it works; the code is never served", async ({ page }) => {
    const code = instance.server.output.match(/Setup code: ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})/)?.[1];
    expect(code, instance.server.output).toBeTruthy();

    await page.goto(`${instance.url}/console/setup`);
    expect(await page.content()).not.toContain(code!);
    const fill = async (setupCode: string) => {
      // Past the browser's own required-field check: the server is what must refuse.
      await page.locator("form").evaluate((form: HTMLFormElement) => (form.noValidate = true));
      await page.getByLabel("Setup code").fill(setupCode);
      await page.getByLabel("Organization name").fill("Signin Org");
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill(owner.password);
      // Each submission is a server action POST to the page: wait for its answer before the next.
      const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/console/setup");
      // The instance's one organization (made with ladmin) has no members: setup makes the owner its owner.
      await page.getByRole("button", { name: "Become its owner" }).click();
      await answered;
    };
    await fill("");
    await expect(page.getByText("is not the code `npm start` printed")).toBeVisible();
    await fill("AAAA-BBBB-CCCC-DDDD");
    await expect(page.getByText("is not the code `npm start` printed")).toBeVisible();
    await expect(page.getByLabel("Setup code")).toHaveValue("AAAA-BBBB-CCCC-DDDD");
    await fill(code!.toLowerCase());
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

    // Once a user exists, the page is gone.
    const again = await send(instance, "127.0.0.1", "GET", "/console/setup");
    expect(again.body).not.toContain(code!);
    expect(await fetch(`${instance.url}/console/setup`, { redirect: "manual" }).then((r) => r.headers.get("location"))).toMatch(/\/console\/sign-in$/);
  });

  // Front only: the per-address budget counts the socket's address, which only the front records
  // (CLIENT_ADDRESS_HEADER, with a mark only the process knows); under bare `next start` every client,
  // whatever it sends, is "unknown": one shared budget, which earlier tests here have spent from.
  test("a forged X-Forwarded-For (or the front's own header) does not escape the per-address budget", { tag: FRONT_ONLY }, async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 21; i++) {
      const forged = `198.51.100.${i}`;
      const { outcome } = await signIn(instance, "127.0.0.3", { email: `spray${i}@signin.example`, password: "a wrong password guess" }, { "x-forwarded-for": forged, "x-layers-client-address": forged, "x-real-ip": forged });
      outcomes.push(outcome);
    }
    expect(outcomes.slice(0, 20).every((o) => o === "credentials")).toBe(true);
    expect(outcomes[20]).toBe("throttled");
  });

  // Front only, as above: "another address" is one the front tells apart; bare `next start` cannot.
  test("the owner still signs in from another address after an attacker's failures", { tag: FRONT_ONLY }, async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push((await signIn(instance, "127.0.0.4", { email: owner.email, password: "a wrong password guess" })).outcome);
    expect(outcomes).toEqual(["credentials", "credentials", "credentials", "credentials", "credentials", "throttled"]);
    expect((await signIn(instance, "127.0.0.4", owner)).outcome).toBe("throttled");
    const mine = await signIn(instance, "127.0.0.5", owner);
    expect(mine.outcome).toBe("ok");
    expect((await membersList(instance, "127.0.0.5", mine.cookies)).status).toBe(200);
  });

  test("a disabled user's existing session cookie is refused; the owner's is not", async () => {
    const ownerSession = (await signIn(instance, "127.0.0.6", owner)).cookies;
    const added = await send(instance, "127.0.0.6", "POST", "/api/trpc/members.add", {
      json: { email: member.email, role: "member", password: member.password },
      cookies: ownerSession,
      headers: { origin: instance.url },
    });
    expect(added.status, added.body).toBe(200);
    const memberId = (JSON.parse(added.body) as { result: { data: { id: string } } }).result.data.id;
    const memberSession = (await signIn(instance, "127.0.0.7", member)).cookies;
    expect((await membersList(instance, "127.0.0.7", memberSession)).status).toBe(200);

    // ladmin writes to the embedded database only while the server is stopped.
    await instance.server.stop();
    expect(ladmin(instance.env, ["users", "disable", memberId])).toEqual({ id: memberId });
    restarted = await startServer(instance.env);
    expect(restarted.output).not.toMatch(/Setup code/);

    expect((await membersList(instance, "127.0.0.7", memberSession)).status).toBe(401);
    expect((await membersList(instance, "127.0.0.6", ownerSession)).status).toBe(200);
    expect((await signIn(instance, "127.0.0.8", member)).outcome).toBe("disabled");
  });
});

test.describe("the sign-in limiter unreachable", () => {
  const closed = { email: "closed@signin.example", password: "a long enough password" };
  let instance: Instance;
  test.beforeAll(async () => {
    // A port nothing listens on: the throttle store cannot answer.
    instance = await startInstance(returnTo, {
      env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
      seed: ({ orgId }) => [{ args: ["users", "create", "--org", orgId, "--email", closed.email, "--role", "owner"], input: `${closed.password}\n` }],
    });
  });
  test.afterAll(async () => instance.stop());

  test("sign-in fails closed with a clear refusal, even with the right password", async () => {
    expect((await signIn(instance, "127.0.0.9", closed)).outcome).toBe("unavailable");
  });
});
