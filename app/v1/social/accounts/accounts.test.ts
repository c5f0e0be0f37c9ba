import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/db/ids";
import { socialAccounts } from "@/db/schema";
import type { Services } from "@/server/services";
import { addKey, request, seedAccount, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import { SEALED } from "@/server/crypto/sealed";

let services: Services;
let api: TestApi;
let tenant: Tenant;

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  tenant = await seedTenant(services);
});
afterAll(async () => {
  await api.close();
  await services.close();
});

const ACCOUNT_KEYS = [
  "accessTokenExpiresAt",
  "avatarUrl",
  "createdAt",
  "displayName",
  "grantedScopes",
  "id",
  "lastRefreshedAt",
  "livemode",
  "platform",
  "platformUserId",
  "projectId",
  "reauthReason",
  "status",
  "updatedAt",
  "username",
];

describe("GET /v1/projects/:projectId/social/accounts", () => {
  it("pages through the project's accounts with an opaque cursor, oldest first", async () => {
    const own = await seedTenant(services);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await seedAccount(services, own, { username: `pager_${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await request(api, "GET", `/v1/projects/${own.projectId}/social/accounts?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: own.token });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it("shows accounts without any token field", async () => {
    await seedAccount(services, tenant, { username: "no_tokens" });
    const res = await request(api, "GET", `/v1/projects/${tenant.projectId}/social/accounts`, { token: tenant.token });
    for (const account of res.body.data) expect(Object.keys(account).sort()).toEqual(ACCOUNT_KEYS);
    expect(res.text).not.toMatch(/act\.|rft\.|v1\.[0-9a-f]{8}\./);
  });

  it("400 for a bad limit or cursor, 404 for another organization's project", async () => {
    for (const query of ["limit=0", "limit=101", "limit=x", "cursor=bad!", `cursor=${Buffer.from("prj_x").toString("base64url")}`]) {
      const res = await request(api, "GET", `/v1/projects/${tenant.projectId}/social/accounts?${query}`, { token: tenant.token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION");
    }
    const other = await seedTenant(services);
    expect((await request(api, "GET", `/v1/projects/${other.projectId}/social/accounts`, { token: tenant.token })).status).toBe(404);
    expect((await request(api, "GET", `/v1/projects/${newId("prj")}/social/accounts`, { token: tenant.token })).status).toBe(404);
  });
});

describe("GET and DELETE /v1/social/accounts/:id", () => {
  it("gets one account of the key's organization", async () => {
    const { id } = await seedAccount(services, tenant, { username: "single" });
    const res = await request(api, "GET", `/v1/social/accounts/${id}`, { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, projectId: tenant.projectId, platform: "tiktok", username: "single", status: "active", livemode: false });
    expect((await request(api, "GET", `/v1/social/accounts/${newId("sa")}`, { token: tenant.token })).status).toBe(404);
    expect((await request(api, "GET", `/v1/social/accounts/nope`, { token: tenant.token })).status).toBe(400);
  });

  it("deletes the tokens and marks the account disconnected (204), needing social:write", async () => {
    const { id } = await seedAccount(services, tenant, { username: "leaving" });
    const readOnly = await addKey(services, tenant.orgId, { scopes: ["social:read"] });
    expect((await request(api, "DELETE", `/v1/social/accounts/${id}`, { token: readOnly.token })).status).toBe(403);

    const res = await request(api, "DELETE", `/v1/social/accounts/${id}`, { token: tenant.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const [row] = await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
    expect(row).toMatchObject({ status: "disconnected", accessTokenEnc: null, refreshTokenEnc: null });
    expect((await request(api, "GET", `/v1/social/accounts/${id}`, { token: tenant.token })).body.status).toBe("disconnected");
  });
});

describe("storing accounts", () => {
  it("reconnecting keeps the id, and a missing refresh token never replaces the stored one", async () => {
    const first = await seedAccount(services, tenant, { username: "keeper", refreshToken: "rft.original" });
    const again = await seedAccount(services, tenant, { username: "keeper", refreshToken: null });
    expect(again).toMatchObject({ id: first.id, created: false });
    const [row] = await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, first.id));
    expect(services.box.open(row!.refreshTokenEnc!, SEALED.refreshToken.at(first.id))).toBe("rft.original");
    expect(row!.accessTokenEnc).toMatch(/^v2\.[0-9a-f]{8}\./);
  });

  it("keeps one account per project, platform and platform user", async () => {
    const other = await seedTenant(services);
    const a = await seedAccount(services, tenant, { username: "twin" });
    const b = await seedAccount(services, { orgId: other.orgId, projectId: other.projectId }, { username: "twin" });
    const c = await seedAccount(services, tenant, { username: "twin", platform: "instagram" });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });
});
