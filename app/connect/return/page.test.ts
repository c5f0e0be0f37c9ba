import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStateId } from "@/db/ids";
import { claimAttempt } from "@/server/attempts/lease";
import { completeAttempt } from "@/server/attempts/store";
import { domainContext } from "@/server/domain/context";
import type { Services } from "@/server/services";
import { request, seedAccount, seedTenant, startApi, startTestServices, type Tenant, type TestApi } from "@/test-support/harness";
import ReturnPage from "./page";

/**
 * The hosted return page waits a few seconds for an attempt still in
 * progress, so the end-customer sees the outcome rather than "waiting".
 * The page is rendered as Next calls it; its heading is the title it shows.
 */
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The page for `?state=`, and how long it took to render. */
async function render(state: string) {
  const started = Date.now();
  const page = await ReturnPage({ searchParams: Promise.resolve({ state }) });
  return { title: (page.props as { title: string }).title, ms: Date.now() - started };
}

async function createAttempt() {
  const res = await request(api, "POST", `/v1/projects/${tenant.projectId}/social/oauth-url`, { token: tenant.token, body: { platform: "tiktok", returnUrl: RETURN_URL } });
  expect(res.status).toBe(200);
  return res.body.state as string;
}

describe("/connect/return", () => {
  it("shows the outcome of an attempt that ends while the page waits for it", async () => {
    const state = await createAttempt();
    const ctx = domainContext(services);
    const claimed = (await claimAttempt(ctx, state, new Date()))!;
    const username = `returning_${Math.random().toString(36).slice(2, 8)}`;
    const account = await seedAccount(services, tenant, { username });
    const rendering = render(state);
    await sleep(800);
    await completeAttempt(ctx, claimed, { socialAccountId: account.id, grantedScopes: ["user.info.basic"], missingScopes: [] }, new Date());
    const page = await rendering;
    expect(page.title).toBe(`Your TikTok account @${username} is connected.`);
    expect(page.ms).toBeLessThan(4_000);
    expect(services.attemptWaiters.count(state)).toBe(0);
  });

  it("says it is still waiting once a few seconds pass with no end", async () => {
    const state = await createAttempt();
    const page = await render(state);
    expect(page.title).toBe("Waiting for TikTok");
    expect(page.ms).toBeGreaterThanOrEqual(4_900);
  });

  it("does not wait for a state it does not know", async () => {
    for (const state of [newStateId(), "not-a-state"]) {
      const page = await render(state);
      expect(page.title).toBe("We could not find this connection");
      expect(page.ms).toBeLessThan(1_000);
    }
  });
});
