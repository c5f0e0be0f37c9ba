import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/services";
import { seedAccount, seedTenant, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";
import { type Layers, LayersError, type SocialAccount } from "../src/index";
import { client, completeInSandbox, unique } from "./support";

/**
 * `layers.accounts` against the real API routes, with accounts connected
 * through the sandbox (so refresh and disconnect reach its token and revoke
 * endpoints) or stored directly (to fill pages).
 */
const RETURN_URL = "https://app.example.com/connect/return";
let base: Services;
let services: Services;
let api: TestApi;

beforeAll(async () => {
  base = await startTestServices();
  ({ api, services } = await serveApiWithSandbox(base));
});
afterAll(async () => {
  await api?.close();
  await base?.close();
});

/** An account connected end to end through the sandbox, as the SDK reads it. */
async function connectedAccount(layers: Layers, tenant: Tenant): Promise<SocialAccount> {
  const { state, authorizeUrl } = await layers.social.createOAuthUrl({ projectId: tenant.projectId, platform: "tiktok", returnUrl: RETURN_URL });
  await completeInSandbox(api, authorizeUrl, unique("creator"));
  const attempt = await layers.social.getOAuthStatus(state);
  if (attempt.status !== "completed") throw new Error(`expected completed, got ${attempt.status}`);
  return layers.accounts.get(attempt.socialAccountId);
}

describe("accounts.list and accounts.iterate", () => {
  let tenant: Tenant;
  let seeded: string[];
  beforeAll(async () => {
    tenant = await seedTenant(services, { allow: [RETURN_URL] });
    seeded = [];
    for (let i = 0; i < 5; i++) seeded.push((await seedAccount(services, tenant, { username: unique(`paged${i}`) })).id);
    // The API's order: by id, a ULID, so by creation (ids made in the same millisecond sort at random between them).
    seeded.sort();
  });

  it("list answers one page of `limit` accounts, oldest first, and its nextCursor reaches the next", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const first = await layers.accounts.list(tenant.projectId, { limit: 2 });
    expect(first.data.map((account) => account.id)).toEqual(seeded.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await layers.accounts.list(tenant.projectId, { limit: 2, cursor: first.nextCursor! });
    expect(second.data.map((account) => account.id)).toEqual(seeded.slice(2, 4));
    expect(exchanges[1]!.url.searchParams.get("cursor")).toBe(first.nextCursor);
  });

  it("iterate yields every account across pages, one request per page, until nextCursor is null", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const ids: string[] = [];
    for await (const account of layers.accounts.iterate(tenant.projectId, { limit: 2 })) ids.push(account.id);
    expect(ids).toEqual(seeded);
    expect(exchanges.map((exchange) => [exchange.url.searchParams.get("limit"), exchange.url.searchParams.has("cursor")])).toEqual([
      ["2", false],
      ["2", true],
      ["2", true],
    ]);
  });

  it("iterate fetches no further page than the loop asks for", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    for await (const account of layers.accounts.iterate(tenant.projectId, { limit: 2 })) {
      expect(account.id).toBe(seeded[0]);
      break;
    }
    expect(exchanges).toHaveLength(1);
  });

  it("list answers an empty last page for a project with no accounts", async () => {
    const empty = await seedTenant(services);
    const { layers } = client(api, empty.token);
    expect(await layers.accounts.list(empty.projectId)).toEqual({ data: [], nextCursor: null });
  });
});

describe("accounts.get, refresh and disconnect", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await seedTenant(services, { allow: [RETURN_URL] });
  });

  it("get answers the account as the API shows it, without tokens", async () => {
    const { layers } = client(api, tenant.token);
    const stored = await seedAccount(services, tenant, { username: "got_creator" });
    const account = await layers.accounts.get(stored.id);
    expect(account).toMatchObject({ id: stored.id, projectId: tenant.projectId, platform: "tiktok", username: "got_creator", status: "active", livemode: false });
    expect(Object.keys(account).filter((key) => /token$/i.test(key))).toEqual([]);
  });

  it("refresh refreshes the tokens at the platform now and answers the account with lastRefreshedAt", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const account = await connectedAccount(layers, tenant);
    expect(account.lastRefreshedAt).toBeNull();
    const refreshed = await layers.accounts.refresh(account.id);
    expect(refreshed).toMatchObject({ id: account.id, status: "active", lastRefreshedAt: expect.any(String) });
    expect(exchanges.at(-1)).toMatchObject({ method: "POST", status: 200 });
  });

  it("refresh throws NEEDS_REAUTH (409) when the platform refuses for good, and the account reads needs_reauth", async () => {
    const { layers } = client(api, tenant.token);
    // A refresh token the sandbox never issued: refused as invalid_grant.
    const stored = await seedAccount(services, tenant, { username: unique("revoked") });
    const error = await layers.accounts.refresh(stored.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LayersError);
    expect(error).toMatchObject({ status: 409, code: "NEEDS_REAUTH", requestId: expect.stringMatching(/^req_/) });
    expect(await layers.accounts.get(stored.id)).toMatchObject({ status: "needs_reauth", reauthReason: expect.any(String) });
  });

  it("disconnect answers nothing (204) and the account then reads disconnected", async () => {
    const { layers, exchanges } = client(api, tenant.token);
    const account = await connectedAccount(layers, tenant);
    expect(await layers.accounts.disconnect(account.id)).toBeUndefined();
    expect(exchanges.at(-1)).toMatchObject({ method: "DELETE", status: 204 });
    expect(await layers.accounts.get(account.id)).toMatchObject({ id: account.id, status: "disconnected" });
  });
});
