import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveServices, seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { trpcError } from "@/test-support/trpc";
import { domainContext } from "../../domain/context";
import { orgScope } from "../../domain/scope";
import type { Services } from "../../services";
import { createUser } from "../../users/service";
import { createCallerFactory } from "../init";
import { appRouter } from "../root";

/**
 * accounts.refresh ("Refresh now") and the accounts list's status filter,
 * over live-mode TikTok accounts whose token endpoint is a stub of this
 * file: a refresh token named rft.refused.* is refused for good
 * (invalid_grant), rft.down.* meets a platform outage, any other is rotated.
 */
let base: Services;
let services: Services;
let tenant: Tenant;
let stub: Server;
let refreshCalls = 0;
const people: Record<"owner" | "admin" | "member", string> = { owner: "", admin: "", member: "" };
const caller = (userId: string | null) => createCallerFactory(appRouter)({ services, userId, requestId: "req_accounts_test", source: "in-process" });
const suffix = () => randomBytes(4).toString("hex");

function startTikTokStub(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      // A disconnect revokes: TikTok answers that with an empty 200.
      if (req.url !== "/v2/oauth/token/") return res.writeHead(200).end();
      const token = form.get("refresh_token") ?? "";
      refreshCalls++;
      if (token.startsWith("rft.refused.")) return reply(200, { error: "invalid_grant", error_description: "Refresh token is invalid or expired.", log_id: "stub" });
      if (token.startsWith("rft.down.")) return reply(503, { error: "server_error", error_description: "Try again later.", log_id: "stub" });
      reply(200, { access_token: `act.${suffix()}`, expires_in: 3_600, open_id: "stub", refresh_token: `rft.${suffix()}`, refresh_expires_in: 31_536_000, scope: "user.info.basic", token_type: "Bearer" });
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  stub = await startTikTokStub();
  const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  base = await startTestServices();
  services = deriveServices(base, { TIKTOK_CLIENT_KEY: "live-client", TIKTOK_CLIENT_SECRET: "live-secret", TIKTOK_API_BASE_URL: url });
  tenant = await seedTenant(services);
  for (const role of ["owner", "admin", "member"] as const) {
    const email = `${role}-${suffix()}@example.com`;
    people[role] = (await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password: "correct horse battery", role })).id;
  }
});
afterAll(async () => {
  await base?.close();
  await new Promise((resolve) => stub?.close(resolve));
});

const liveAccount = (refreshToken = `rft.${suffix()}`) => seedAccount(services, tenant, { mode: "live", refreshToken });
const listed = async (id: string, status?: "active" | "needs_reauth" | "disconnected") =>
  (await caller(people.member).accounts.list({ mode: "live", status })).items.find((a) => a.id === id);

describe("accounts.refresh", () => {
  it("is refused to a member, and to no one signed in, before the platform is asked", async () => {
    const { id } = await liveAccount();
    const calls = refreshCalls;
    expect((await trpcError(() => caller(people.member).accounts.refresh({ mode: "live", id }))).code).toBe("FORBIDDEN");
    expect((await trpcError(() => caller(null).accounts.refresh({ mode: "live", id }))).code).toBe("UNAUTHORIZED");
    expect(refreshCalls).toBe(calls);
    expect((await listed(id))?.lastRefreshedAt).toBeNull();
  });

  it("refreshes for an admin and answers the account as it is now", async () => {
    const { id } = await liveAccount();
    const before = Date.now();
    const account = await caller(people.admin).accounts.refresh({ mode: "live", id });
    expect(account).toMatchObject({ id, status: "active", reauthReason: null });
    expect(Date.parse(account.lastRefreshedAt!)).toBeGreaterThanOrEqual(before - 1000);
    // The stub's token lives an hour.
    expect(Date.parse(account.accessTokenExpiresAt!)).toBeGreaterThan(before + 3_500_000);
    expect(await listed(id)).toMatchObject({ lastRefreshedAt: account.lastRefreshedAt, accessTokenExpiresAt: account.accessTokenExpiresAt });
  });

  it("says in words when only the end-customer can fix the account, which the needs-reauth filter then lists", async () => {
    const { id } = await liveAccount(`rft.refused.${suffix()}`);
    const error = await trpcError(() => caller(people.owner).accounts.refresh({ mode: "live", id }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/needs the end-customer.*oauth-url again/);
    expect(await listed(id, "needs_reauth")).toMatchObject({ status: "needs_reauth", reauthReason: "token_revoked" });
    expect(await listed(id, "active")).toBeUndefined();
    // Refused again at once, without asking the platform.
    const calls = refreshCalls;
    expect((await trpcError(() => caller(people.admin).accounts.refresh({ mode: "live", id }))).code).toBe("CONFLICT");
    expect(refreshCalls).toBe(calls);
  });

  it("answers a platform outage as SERVICE_UNAVAILABLE and leaves the account as it was", async () => {
    const { id } = await liveAccount(`rft.down.${suffix()}`);
    const error = await trpcError(() => caller(people.admin).accounts.refresh({ mode: "live", id }));
    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect(error.message).toMatch(/TikTok did not complete the refresh/);
    expect(await listed(id, "active")).toMatchObject({ status: "active", lastRefreshedAt: null });
  });

  it("cannot reach an account of the other mode or of another organization", async () => {
    const { id } = await liveAccount();
    expect((await trpcError(() => caller(people.admin).accounts.refresh({ mode: "test", id }))).code).toBe("NOT_FOUND");
    const other = await seedTenant(services);
    const stranger = await seedAccount(services, other, { mode: "live" });
    expect((await trpcError(() => caller(people.admin).accounts.refresh({ mode: "live", id: stranger.id }))).code).toBe("NOT_FOUND");
    expect((await trpcError(() => caller(people.admin).accounts.refresh({ mode: "live", id: "not-an-id" }))).code).toBe("BAD_REQUEST");
  });
});

describe("accounts.list status filter", () => {
  it("lists only accounts in the status asked, and refuses an unknown status", async () => {
    const { id } = await liveAccount();
    await caller(people.admin).accounts.disconnect({ mode: "live", id });
    expect(await listed(id, "disconnected")).toMatchObject({ status: "disconnected", accessTokenExpiresAt: null });
    expect(await listed(id, "active")).toBeUndefined();
    expect(await listed(id)).toBeDefined();
    // @ts-expect-error: not a status
    expect((await trpcError(() => caller(people.member).accounts.list({ mode: "live", status: "broken" }))).code).toBe("BAD_REQUEST");
  });
});
