import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { unstable_rethrow } from "next/navigation";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { memberships, users } from "@/db/schema";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { openFreshPglite } from "@/test-support/pgliteTemplate";
import { domainContext } from "../domain/context";
import { operatorScope, orgScope } from "../domain/scope";
import { type Services, setServices } from "../services";
import { handleTrpc } from "../trpc/handler";
import { createCallerFactory } from "../trpc/init";
import { appRouter } from "../trpc/root";
import { createRedisRateLimiter } from "../ratelimit";
import { disableUser } from "../users/manage";
import { createUser } from "../users/service";
import { SETUP_BUDGET } from "./setup";
import { setupAction, signInAction, signOutAction } from "./actions";
import { CLIENT_ADDRESS_HEADER, recordedClientAddress } from "../http/clientAddress";
import { isSessionValid } from "./revocation";
import { setupCode } from "./setupCode";

/**
 * The console's server actions run outside Next here, so the two things only
 * Next provides are stood in for: the action's request headers, and
 * next-auth's session and sign-in, which reads cookies. The stand-in sign-in
 * does what next-auth's does with our Credentials provider: runs the real
 * `authorizeCredentials` (throttle included), then throws Next's redirect.
 */
const request = vi.hoisted(() => ({ headers: new Headers(), userId: null as string | null }));

vi.mock("next/headers", () => ({ headers: async () => request.headers }));
vi.mock("@/server/auth/config", async () => {
  const { CredentialsSignin } = await import("next-auth");
  const { redirect } = await import("next/navigation");
  const { getServices } = await import("@/server/services");
  const { authorizeCredentials } = await import("@/server/auth/credentials");
  return {
    auth: async () => (request.userId ? { user: { id: request.userId } } : null),
    signIn: vi.fn(async (_provider: string, options: { email: string; password: string; redirectTo: string }) => {
      const user = await authorizeCredentials(await getServices(), options, new Request("http://layers.test/console", { headers: request.headers }));
      if (!user) throw new CredentialsSignin();
      redirect(options.redirectTo);
    }),
    signOut: vi.fn(async (options: { redirectTo: string }) => redirect(options.redirectTo)),
  };
});
const nextAuth = await import("@/server/auth/config");

let services: Services;
let tenant: Tenant;
const password = "correct horse battery";
// Client addresses unique to this run: with REDIS_URL the throttle counters outlive the test process.
const RUN = Math.random().toString(16).slice(2, 8);
let host = 0;
const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;

/** A browser on the console's own origin (the harness's public URL), from an address of its own. */
function sameOrigin(extra: Record<string, string> = {}) {
  request.headers = new Headers({ host: "layers.test", origin: "http://layers.test", [CLIENT_ADDRESS_HEADER]: recordedClientAddress(`2001:db8:${RUN}::${++host}`), ...extra });
}

const codeFor = (s: Services) => setupCode(s.config.authSecret);

function form(fields: Record<string, string>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

/** Where a Next redirect thrown by an action sends the browser; fails when the action did not redirect. */
async function redirectOf(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    (value) => {
      throw new Error(`expected a redirect, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  const digest = String((error as { digest?: unknown }).digest ?? "");
  expect(digest).toMatch(/^NEXT_REDIRECT;/);
  return digest.split(";")[2]!;
}

async function addUser(role: "owner" | "admin" | "member") {
  const email = unique(role);
  const { id } = await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password, role });
  return { id, email };
}

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services);
});
afterAll(() => services.close());
beforeEach(() => {
  sameOrigin();
  request.userId = null;
  vi.mocked(nextAuth.signIn).mockClear();
});

describe("setup action (auth.setup)", () => {
  it("needs the setup code; creates the first organization and owner and signs in, once; refused fields come back by name", async () => {
    const fresh = await openFreshPglite();
    setServices({ ...services, database: fresh });
    const setupCode = codeFor(services);
    try {
      const email = unique("first");
      for (const code of ["", "WRONG-CODE"]) {
        expect(await setupAction(undefined, form({ setupCode: code, orgName: "Acme", name: "Ada", email, password }))).toEqual({
          error: "Check the highlighted fields.",
          fields: { setupCode: "is not the code `npm start` printed" },
        });
      }
      expect(await setupAction(undefined, form({ setupCode, orgName: "", name: "", email: "nope", password: "short" }))).toMatchObject({
        error: "Check the highlighted fields.",
        fields: { orgName: expect.any(String), email: expect.any(String), password: expect.any(String) },
      });

      expect(await redirectOf(setupAction(undefined, form({ setupCode, orgName: "Acme", name: "Ada", email, password })))).toBe("/console");
      const [owner] = await fresh.db.select().from(users).innerJoin(memberships, eq(memberships.userId, users.id)).where(eq(users.email, email));
      expect(owner?.memberships.role).toBe("owner");

      expect(await setupAction(undefined, form({ setupCode, orgName: "Again", name: "", email: unique("second"), password }))).toEqual({ error: "Setup is already done: sign in instead." });
    } finally {
      setServices(services);
      await fresh.close();
    }
  });

  it("throttles wrong codes per client address, whatever X-Forwarded-For says", async () => {
    const fresh = await openFreshPglite();
    setServices({ ...services, database: fresh });
    try {
      const fields = { orgName: "Acme", name: "", email: unique("t"), password };
      sameOrigin();
      const address = request.headers.get(CLIENT_ADDRESS_HEADER)!;
      for (let i = 0; i < SETUP_BUDGET.tokens; i++) {
        sameOrigin({ [CLIENT_ADDRESS_HEADER]: address, "x-forwarded-for": `198.51.100.${i}` });
        expect((await setupAction(undefined, form({ ...fields, setupCode: "guess" }))).fields).toHaveProperty("setupCode");
      }
      sameOrigin({ [CLIENT_ADDRESS_HEADER]: address, "x-forwarded-for": "198.51.100.250" });
      expect(await setupAction(undefined, form({ ...fields, setupCode: codeFor(services) }))).toEqual({ error: "Too many setup attempts. Wait 15 minutes, then try again." });
    } finally {
      setServices(services);
      await fresh.close();
    }
  });
});

describe("sign-in action (auth.signIn)", () => {
  it("signs in through next-auth and redirects to a console path, never elsewhere", async () => {
    const { email } = await addUser("admin");
    expect(await redirectOf(signInAction(undefined, form({ email, password, callbackUrl: "/console/keys" })))).toBe("/console/keys");
    sameOrigin();
    expect(await redirectOf(signInAction(undefined, form({ email, password, callbackUrl: "https://evil.example.com/" })))).toBe("/console");
  });

  it("words a wrong password, then the throttle for that address, which holds even for the right password; another address signs in", async () => {
    const { email } = await addUser("member");
    sameOrigin();
    const attacker = request.headers.get(CLIENT_ADDRESS_HEADER)!;
    for (let i = 0; i < 5; i++) {
      // A forged X-Forwarded-For buys nothing: with no trusted proxy the front's socket address decides.
      sameOrigin({ [CLIENT_ADDRESS_HEADER]: attacker, "x-forwarded-for": `203.0.113.${i}` });
      expect(await signInAction(undefined, form({ email, password: "guess-guess-guess" }))).toEqual({ error: "The email or password is not right. Check both and try again." });
    }
    sameOrigin({ [CLIENT_ADDRESS_HEADER]: attacker });
    expect(await signInAction(undefined, form({ email, password }))).toEqual({ error: "Too many sign-in attempts. Wait 15 minutes, then try again." });
    sameOrigin();
    expect(await redirectOf(signInAction(undefined, form({ email, password })))).toBe("/console");
  });

  it("words a disabled account and a throttle store that cannot answer", async () => {
    const { id, email } = await addUser("member");
    await disableUser(domainContext(services), operatorScope(), { userId: id });
    expect(await signInAction(undefined, form({ email, password }))).toEqual({ error: "This account is disabled. Ask an owner of your organization." });
    const down = await createRedisRateLimiter("redis://127.0.0.1:1", `test:${RUN}:action-down`);
    setServices({ ...services, limiter: down });
    try {
      sameOrigin();
      expect(await signInAction(undefined, form({ email: (await addUser("admin")).email, password }))).toEqual({ error: "Sign-in is unavailable for a moment. Try again shortly." });
    } finally {
      setServices(services);
      await down.close();
    }
  });
});

describe("sign-out action (auth.signOut)", () => {
  it("ends every session of the user, then sends the browser to sign-in", async () => {
    const { id } = await addUser("member");
    const signedInAt = Date.now() - 1000;
    expect(await isSessionValid(services.database.db, id, signedInAt)).toBe(true);
    request.userId = id;
    expect(await redirectOf(signOutAction())).toBe("/console/sign-in");
    expect(await isSessionValid(services.database.db, id, signedInAt)).toBe(false);
  });

  it("still sends a browser whose session is already gone to sign-in", async () => {
    expect(await redirectOf(signOutAction())).toBe("/console/sign-in");
  });
});

describe("the action path passes the procedures' middleware", () => {
  it("refuses a cross-origin sign-in before next-auth is asked", async () => {
    const { email } = await addUser("admin");
    sameOrigin({ origin: "https://evil.example.com" });
    expect(await signInAction(undefined, form({ email, password }))).toEqual({ error: "Cross-origin requests to the console API are refused." });
    sameOrigin({ origin: "null" });
    expect(await signInAction(undefined, form({ email, password }))).toEqual({ error: "Cross-origin requests to the console API are refused." });
    expect(nextAuth.signIn).not.toHaveBeenCalled();
  });

  it("refuses a cross-origin sign-out, and the sessions stay", async () => {
    const { id } = await addUser("admin");
    request.userId = id;
    sameOrigin({ origin: "https://evil.example.com", "sec-fetch-site": "cross-site" });
    await expect(signOutAction()).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await isSessionValid(services.database.db, id, Date.now() - 1000)).toBe(true);
  });

  it("an unexpected fault is translated: a generic message naming the caller's request id", async () => {
    vi.mocked(nextAuth.signIn).mockRejectedValueOnce(new Error("connect ETIMEDOUT 10.0.0.7:6379 password=hunter2"));
    sameOrigin({ "x-request-id": "req_from_the_proxy_42" });
    const state = await signInAction(undefined, form({ email: unique("x"), password }));
    expect(state.error).toContain("req_from_the_proxy_42");
    expect(state.error).not.toMatch(/hunter2|ETIMEDOUT/);
  });

  it("the caller a server action uses applies session and role rules like /api/trpc", async () => {
    const { actionCaller } = await import("../trpc/action");
    const member = await addUser("member");
    request.userId = member.id;
    await expect((await actionCaller()).projects.create({ name: "From a member" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    request.userId = null;
    await expect((await actionCaller()).projects.create({ name: "Signed out" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("auth procedures through the caller", () => {
  const caller = (userId: string | null) => createCallerFactory(appRouter)({ services, userId, requestId: "req_auth_test", source: "in-process" });

  it("a redirect leaves the middleware untranslated, for the action to hand to Next", async () => {
    const { id } = await addUser("admin");
    const error = await caller(id).auth.signOut().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).message).not.toMatch(/request id/i);
    expect(() => unstable_rethrow(error)).toThrow(expect.objectContaining({ digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/console\/sign-in;/) }));
  });

  it("are not served over /api/trpc: they answer with a cookie and a redirect, which only an action can give", async () => {
    const req = new Request("http://layers.test/api/trpc/auth.signIn", {
      method: "POST",
      headers: { origin: "http://layers.test", "content-type": "application/json" },
      body: JSON.stringify({ email: unique("http"), password }),
    });
    const response = await handleTrpc(req, async () => null);
    expect(response.status).toBe(404);
    expect(nextAuth.signIn).not.toHaveBeenCalled();
  });
});
