import { eq } from "drizzle-orm";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStateId } from "@/db/ids";
import { oauthStates } from "@/db/schema";
import type { Services } from "@/server/services";
import { addKey, request, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";

let services: Services;
let api: TestApi;
let tenant: Tenant;
const RETURN_URL = "https://app.example.com/connect/return";

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
  tenant = await seedTenant(services, { allow: [RETURN_URL] });
});
afterAll(async () => {
  await api.close();
  await services.close();
});

async function createAttempt(token = tenant.token, body: Record<string, unknown> = {}) {
  const res = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, {
    token,
    body: { platform: "tiktok", returnUrl: RETURN_URL, ...body },
  });
  expect(res.status).toBe(200);
  return res.body as { state: string; expiresAt: string };
}

const status = (state: string, token = tenant.token) => request(api, "GET", `/v1/social/oauth-status/${state}`, { token });

describe("GET oauth-status", () => {
  it("reads a new attempt as pending, with the contract's fields", async () => {
    const attempt = await createAttempt(tenant.token, { usageNote: "Acme Coffee" });
    const res = await status(attempt.state);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      state: attempt.state,
      status: "pending",
      platform: "tiktok",
      projectId: tenant.projectId,
      usageNote: "Acme Coffee",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: attempt.expiresAt,
      completedAt: null,
    });
    expect(res.headers.get("x-ratelimit-limit")).toBe("600");
  });

  it("reads a pending attempt past expiresAt as expired", async () => {
    const attempt = await createAttempt();
    await services.database.db.update(oauthStates).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oauthStates.id, attempt.state));
    const res = await status(attempt.state);
    expect(res.body.status).toBe("expired");
  });

  it("shows socialAccountId and scopes only when completed, and the error only when failed", async () => {
    const done = await createAttempt();
    const completedAt = new Date();
    await services.database.db
      .update(oauthStates)
      .set({ status: "completed", socialAccountId: "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB", grantedScopes: ["user.info.basic"], missingScopes: ["video.list"], completedAt })
      .where(eq(oauthStates.id, done.state));
    const completed = await status(done.state);
    expect(completed.body).toMatchObject({
      status: "completed",
      socialAccountId: "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB",
      grantedScopes: ["user.info.basic"],
      missingScopes: ["video.list"],
      completedAt: completedAt.toISOString(),
    });
    expect(completed.body.error).toBeUndefined();

    const failed = await createAttempt();
    await services.database.db
      .update(oauthStates)
      .set({ status: "failed", errorCode: "access_denied", errorMessage: "The end-customer cancelled.", completedAt })
      .where(eq(oauthStates.id, failed.state));
    const res = await status(failed.state);
    expect(res.body).toMatchObject({ status: "failed", error: { code: "access_denied", message: "The end-customer cancelled." } });
    expect(res.body.socialAccountId).toBeUndefined();
    expect(res.body.grantedScopes).toBeUndefined();
  });

  it("is readable with social:write alone (the creating key)", async () => {
    const writeOnly = await addKey(services, tenant.orgId, { scopes: ["social:write"], allow: [RETURN_URL] });
    const attempt = await createAttempt(writeOnly.token);
    expect((await status(attempt.state, writeOnly.token)).status).toBe(200);
  });

  it("is 404 for another key of the same organization, read-only or not", async () => {
    const attempt = await createAttempt();
    const sibling = await addKey(services, tenant.orgId, { scopes: ["social:read"] });
    const res = await status(attempt.state, sibling.token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });

  it("is 404 for an unknown state of either shape the contract allows, and 400 only for what cannot be a state", async () => {
    // The seed's state is st_ + a ULID (26 characters); this instance issues 32.
    for (const unknown of ["st_01HXZ8K2M4P5QRS6TUV7WXYZ9A", newStateId(), `st_${ulid()}`]) {
      const res = await status(unknown);
      expect([res.status, res.body.error.code], unknown).toEqual([404, "NOT_FOUND"]);
    }
    for (const impossible of ["st_abc", "foo", "st_01hxz8k2m4p5qrs6tuv7wxyz9a", "st_01HXZ8K2M4P5QRS6TUV7WXYZ9-", `st_${"A".repeat(65)}`, "sa_01HXZ8K2M4P5QRS6TUV7WXYZ9A"]) {
      const res = await status(impossible);
      expect([res.status, res.body.error.code], impossible).toEqual([400, "VALIDATION"]);
      expect(res.body.error.issues[0].path).toBe("state");
    }
  });

  it("reads an attempt whose state is st_ + a ULID", async () => {
    const attempt = await createAttempt();
    const [row] = await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, attempt.state));
    const state = `st_${ulid()}`;
    await services.database.db.insert(oauthStates).values({ ...row!, id: state });
    const res = await status(state);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state, status: "pending" });
  });

  it("is 404 for an unknown state and 400 for a malformed one", async () => {
    expect((await status(newStateId())).body.error.code).toBe("NOT_FOUND");
    const malformed = await status("st_short");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.issues[0].path).toBe("state");
  });

  it("429 once the key's read budget is spent", async () => {
    const limited = await addKey(services, tenant.orgId, { readLimit: "1/60s" });
    const first = await status(newStateId(), limited.token);
    const second = await status(newStateId(), limited.token);
    expect([first.status, second.status]).toEqual([404, 429]);
    expect(second.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
