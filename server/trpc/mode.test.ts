import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStateId } from "@/db/ids";
import { addKey, seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { insertAttempt } from "../attempts/store";
import { consoleMode } from "../console/mode";
import { domainContext } from "../domain/context";
import { orgScope } from "../domain/scope";
import { revokeApiKey } from "../keys/service";
import type { Services } from "../services";
import { createUser } from "../users/service";
import { createCallerFactory } from "./init";
import { appRouter } from "./root";

/**
 * The console never mixes test and live data: every procedure over attempts,
 * accounts and the overview names the mode it shows and answers only that
 * mode's rows; a row of the other mode is as absent as one of another
 * organization.
 */
let services: Services;
let tenant: Tenant;
let liveKey: { keyId: string };
const callerOf = createCallerFactory(appRouter);
let console_: ReturnType<typeof callerOf>;
const rows = { liveAccount: "", testAccount: "", liveAttempt: "", testAttempt: "" };

async function attempt(keyId: string, livemode: boolean) {
  const id = newStateId();
  const now = new Date();
  await insertAttempt(domainContext(services), {
    id,
    orgId: tenant.orgId,
    projectId: tenant.projectId,
    apiKeyId: keyId,
    platform: "tiktok",
    livemode,
    returnUrl: "https://app.example.com/connect/return",
    scopes: ["user.info.basic"],
    createdAt: now,
    expiresAt: new Date(now.getTime() + 600_000),
  });
  return id;
}

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services, { mode: "test" });
  liveKey = await addKey(services, tenant.orgId, { mode: "live" });
  const admin = await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), {
    email: `mode-${Date.now()}-${Math.random()}@example.com`,
    password: "correct horse battery",
    role: "admin",
  });
  console_ = callerOf({ services, userId: admin.id, requestId: "req_mode_test", source: "in-process" });
  rows.liveAccount = (await seedAccount(services, tenant, { mode: "live", username: "same_person" })).id;
  rows.testAccount = (await seedAccount(services, tenant, { mode: "test", username: "same_person" })).id;
  rows.liveAttempt = await attempt(liveKey.keyId, true);
  rows.testAttempt = await attempt(tenant.keyId, false);
});
afterAll(() => services.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

describe("mode procedures", () => {
  it("accounts.list shows only the chosen mode's accounts", async () => {
    expect((await console_.accounts.list({ mode: "live" })).items.map((a) => [a.id, a.livemode])).toEqual([[rows.liveAccount, true]]);
    expect((await console_.accounts.list({ mode: "test" })).items.map((a) => [a.id, a.livemode])).toEqual([[rows.testAccount, false]]);
  });

  it("attempts.list and attempts.get answer only the chosen mode", async () => {
    expect((await console_.attempts.list({ mode: "live" })).items.map((a) => a.state)).toEqual([rows.liveAttempt]);
    expect((await console_.attempts.list({ mode: "test" })).items.map((a) => a.state)).toEqual([rows.testAttempt]);
    expect((await console_.attempts.get({ mode: "live", state: rows.liveAttempt })).livemode).toBe(true);
    expect(await codeOf(console_.attempts.get({ mode: "test", state: rows.liveAttempt }))).toBe("NOT_FOUND");
    expect(await codeOf(console_.attempts.get({ mode: "live", state: rows.testAttempt }))).toBe("NOT_FOUND");
  });

  it("the overview counts, lists and charts one mode", async () => {
    const live = await console_.overview.get({ mode: "live" });
    const test = await console_.overview.get({ mode: "test" });
    expect(live.counts).toMatchObject({ activeKeys: 1, accounts: 1, attempts7d: 1 });
    expect(test.counts).toMatchObject({ activeKeys: 1, accounts: 1, attempts7d: 1 });
    expect(live.recentAttempts.map((a) => a.state)).toEqual([rows.liveAttempt]);
    expect(test.recentAttempts.map((a) => a.state)).toEqual([rows.testAttempt]);
    expect(live.daily.reduce((n, d) => n + d.pending, 0)).toBe(1);
  });

  it("accounts.disconnect cannot reach an account of the other mode", async () => {
    expect(await codeOf(console_.accounts.disconnect({ mode: "test", id: rows.liveAccount }))).toBe("NOT_FOUND");
    expect((await console_.accounts.list({ mode: "live" })).items[0]?.status).toBe("active");
  });

  it("a missing or unknown mode is refused as bad input, never read as both", async () => {
    // @ts-expect-error: the mode is required
    expect(await codeOf(console_.accounts.list({}))).toBe("BAD_REQUEST");
    // @ts-expect-error: there is no "all" mode
    expect(await codeOf(console_.attempts.list({ mode: "all" }))).toBe("BAD_REQUEST");
    // @ts-expect-error: the mode is required
    expect(await codeOf(console_.overview.get())).toBe("BAD_REQUEST");
  });
});

describe("the console's default mode", () => {
  it("is the chosen one when the cookie names a mode, else live once the organization has a live key, else test", async () => {
    const ctx = domainContext(services);
    const scope = orgScope(tenant.orgId, { type: "system" });
    expect(await consoleMode(ctx, scope, "test")).toBe("test");
    expect(await consoleMode(ctx, scope, undefined)).toBe("live");
    expect(await consoleMode(ctx, scope, "everything")).toBe("live");
    await revokeApiKey(ctx, scope, liveKey.keyId);
    expect(await consoleMode(ctx, scope, undefined)).toBe("test");
    expect(await consoleMode(ctx, scope, "live")).toBe("live");
  });
});
