import { eq } from "drizzle-orm";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { socialAccounts } from "@/db/schema";
import { SEALED } from "@/server/crypto/sealed";
import { type DomainContext, domainContext } from "@/server/domain/context";
import { modeScope, orgScope } from "@/server/domain/scope";
import type { Services } from "@/server/services";
import { faultyWrites } from "@/test-support/faultyWrites";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { type PlatformHosts, startPlatformHosts } from "@/test-support/platformHosts";
import { RefreshFailedError, REFRESH_LEASE_MS, refreshAccountTokens } from "./refresh";
import { upsertSocialAccount } from "./service";

/**
 * The refresh of one account against TikTok's and Instagram's token hosts
 * (test-support/platformHosts.ts), with time on a test clock: rotation,
 * the 24 h rule, each refusal for good and each failure that may pass, one
 * refresh at a time, and a crash between the platform's reply and the write.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = new TestClock("2026-06-01T00:00:00Z");
let hosts: PlatformHosts;
let services: Services;
let ctx: DomainContext;
let tenant: Tenant;

beforeAll(async () => {
  hosts = await startPlatformHosts(() => clock.now());
  services = await startTestServices({ env: hosts.env, clock });
  ctx = domainContext(services);
  tenant = await seedTenant(services, { mode: "live" });
});
afterAll(async () => {
  await services.close();
  await hosts.close();
});
beforeEach(() => {
  hosts.refreshes.length = 0;
});

const later = (ms: number) => clock.setTime(clock.now() + ms);

/** A live account connected now, with tokens the hosts issued. */
async function connect(platform: "tiktok" | "instagram", lifetimes: { accessTtlS?: number; refreshTtlS?: number; ttlS?: number } = {}) {
  const now = clock.now();
  const issued =
    platform === "tiktok"
      ? (() => {
          const t = hosts.issueTikTok(lifetimes);
          return { accessToken: t.accessToken, refreshToken: t.refreshToken as string | null, accessTtlS: t.accessTtlS, refreshTtlS: t.refreshTtlS as number | null };
        })()
      : (() => {
          const t = hosts.issueInstagram({ ttlS: lifetimes.ttlS });
          return { accessToken: t.accessToken, refreshToken: null, accessTtlS: t.ttlS, refreshTtlS: null };
        })();
  const { id } = await upsertSocialAccount(ctx, modeScope(orgScope(tenant.orgId, { type: "system" }), "live"), {
    projectId: tenant.projectId,
    platform,
    profile: { platformUserId: `u_${Math.random().toString(36).slice(2)}`, username: "creator", displayName: null, avatarUrl: null },
    tokens: {
      accessToken: issued.accessToken,
      accessTokenExpiresAt: new Date(now + issued.accessTtlS * 1000),
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: issued.refreshTtlS === null ? null : new Date(now + issued.refreshTtlS * 1000),
      grantedScopes: null,
      platformUserId: null,
    },
    grantedScopes: [platform === "tiktok" ? "user.info.basic" : "instagram_business_basic"],
  });
  return { id, ...issued };
}

async function row(id: string) {
  const [found] = await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  return found!;
}
const storedRefreshToken = async (id: string) => services.box.open((await row(id)).refreshTokenEnc!, SEALED.refreshToken.at(id));
const storedAccessToken = async (id: string) => services.box.open((await row(id)).accessTokenEnc!, SEALED.accessToken.at(id));

async function failure(promise: Promise<unknown>): Promise<RefreshFailedError> {
  const error = await promise.then(
    () => new Error("expected the refresh to fail"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefreshFailedError);
  return error as RefreshFailedError;
}

describe("TikTok", () => {
  it("is refreshed 30 minutes before its access token expires, storing the rotated refresh token in the same write", async () => {
    const account = await connect("tiktok");
    expect((await row(account.id)).refreshAfter?.getTime()).toBe(clock.now() + DAY - 30 * 60_000);
    await later(DAY - 31 * 60_000);
    expect(await refreshAccountTokens(ctx, account.id, { force: false })).toMatchObject({ kind: "unchanged", why: "not_due" });
    expect(hosts.refreshes).toEqual([]);

    await later(2 * 60_000);
    const outcome = await refreshAccountTokens(ctx, account.id, { force: false });
    expect(outcome?.kind).toBe("refreshed");
    const after = await row(account.id);
    const rotated = await storedRefreshToken(account.id);
    expect(rotated).not.toBe(account.refreshToken);
    expect(after.lastRefreshedAt?.getTime()).toBe(clock.now());
    // Lifetimes come from the reply: a fresh 24 h access token, the grant's refresh deadline kept.
    expect(after.accessTokenExpiresAt?.getTime()).toBe(clock.now() + DAY);
    expect(after.refreshTokenExpiresAt?.getTime()).toBe(Date.parse("2026-06-01T00:00:00Z") + 31_536_000_000);
    expect([after.refreshLeaseId, after.refreshLeaseExpiresAt]).toEqual([null, null]);

    // The next refresh sends the rotated token: the first one went out exactly once.
    await later(DAY);
    expect((await refreshAccountTokens(ctx, account.id, { force: false }))?.kind).toBe("refreshed");
    expect(hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([
      [account.refreshToken, "refreshed"],
      [rotated, "refreshed"],
    ]);
  });

  it("a withdrawn grant (invalid_grant) makes the account needs_reauth with token_revoked, and it is not refreshed again", async () => {
    const account = await connect("tiktok");
    hosts.revoke(account.refreshToken!);
    const outcome = await refreshAccountTokens(ctx, account.id, { force: true });
    expect(outcome).toMatchObject({ kind: "needs_reauth", reason: "token_revoked" });
    expect(await row(account.id)).toMatchObject({ status: "needs_reauth", reauthReason: "token_revoked", refreshAfter: null, refreshLeaseId: null });
    expect(await refreshAccountTokens(ctx, account.id, { force: true })).toMatchObject({ kind: "unchanged", why: "not_active" });
    expect(hosts.refreshes.map((r) => r.outcome)).toEqual(["refused"]);
  });

  it("an expired refresh token: needs_reauth with refresh_token_expired, without asking TikTok", async () => {
    const account = await connect("tiktok", { accessTtlS: 600, refreshTtlS: 1_800 });
    await later(31 * 60_000);
    expect(await refreshAccountTokens(ctx, account.id, { force: false })).toMatchObject({ kind: "needs_reauth", reason: "refresh_token_expired" });
    expect(hosts.refreshes).toEqual([]);
  });

  it.each(["http_500", "http_429", "tiktok_server_error"] as const)("a failure that may pass (%s) changes nothing, and the next refresh goes ahead at once", async (kind) => {
    const account = await connect("tiktok");
    const before = await row(account.id);
    hosts.failNext(1, kind);
    await failure(refreshAccountTokens(ctx, account.id, { force: true }));
    expect(await row(account.id)).toEqual(before);
    expect((await refreshAccountTokens(ctx, account.id, { force: true }))?.kind).toBe("refreshed");
    expect(hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([
      [account.refreshToken, "failed"],
      [account.refreshToken, "refreshed"],
    ]);
  });
});

describe("Instagram", () => {
  it("is refreshed once 24 h old and past half its life; the reply's lifetime plans the next", async () => {
    const account = await connect("instagram");
    const halfLife = (5_183_944 * 1000) / 2;
    expect((await row(account.id)).refreshAfter?.getTime()).toBe(clock.now() + halfLife);
    await later(halfLife - HOUR);
    expect(await refreshAccountTokens(ctx, account.id, { force: false })).toMatchObject({ kind: "unchanged", why: "not_due" });
    await later(HOUR);
    expect((await refreshAccountTokens(ctx, account.id, { force: false }))?.kind).toBe("refreshed");
    const after = await row(account.id);
    expect(await storedAccessToken(account.id)).not.toBe(account.accessToken);
    expect(after.accessTokenExpiresAt?.getTime()).toBe(clock.now() + 5_183_944_000);
    expect(after.refreshAfter?.getTime()).toBe(clock.now() + halfLife);
    expect(hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([[account.accessToken, "refreshed"]]);
  });

  it("under 24 h old, even on demand, nothing is sent (Instagram would refuse) and the account is answered as it is", async () => {
    const account = await connect("instagram");
    await later(23 * HOUR);
    expect(await refreshAccountTokens(ctx, account.id, { force: true })).toMatchObject({ kind: "unchanged", why: "too_young" });
    expect((await row(account.id)).refreshLeaseId).toBeNull();
    await later(HOUR);
    expect((await refreshAccountTokens(ctx, account.id, { force: true }))?.kind).toBe("refreshed");
    expect(hosts.refreshes).toHaveLength(1);
  });

  it("a token that dies before it may be refreshed is due when it expires, and is then found dead without asking", async () => {
    const account = await connect("instagram", { ttlS: 120 });
    expect((await row(account.id)).refreshAfter?.getTime()).toBe(clock.now() + 120_000);
    await later(121_000);
    expect(await refreshAccountTokens(ctx, account.id, { force: false })).toMatchObject({ kind: "needs_reauth", reason: "refresh_token_expired" });
    expect(hosts.refreshes).toEqual([]);
  });

  it("an app removed by the user (190/458) is token_revoked; throttling (code 4) changes nothing", async () => {
    const throttled = await connect("instagram");
    await later(DAY);
    hosts.failNext(1, "ig_throttled");
    await failure(refreshAccountTokens(ctx, throttled.id, { force: true }));
    expect((await row(throttled.id)).status).toBe("active");

    const removed = await connect("instagram");
    await later(DAY);
    hosts.revoke(removed.accessToken);
    expect(await refreshAccountTokens(ctx, removed.id, { force: true })).toMatchObject({ kind: "needs_reauth", reason: "token_revoked" });
  });
});

describe("one refresh per account at a time", () => {
  it("three refreshes at once send the refresh token once; the others find the refresh in progress", async () => {
    const account = await connect("tiktok");
    // TikTok holds its answer, so the first refresh is still in flight while the others try.
    hosts.hold();
    const first = refreshAccountTokens(ctx, account.id, { force: true });
    await expect.poll(() => hosts.heldRequests()).toBe(1);
    const others = await Promise.all([2, 3].map(() => refreshAccountTokens(ctx, account.id, { force: true })));
    hosts.release();
    expect((await first)?.kind).toBe("refreshed");
    expect(others.map((o) => (o?.kind === "unchanged" ? o.why : o?.kind))).toEqual(["in_progress", "in_progress"]);
    expect(hosts.refreshes).toHaveLength(1);
  });

  it("a database that fails the write after TikTok answered: the tokens in hand are stored once it answers again, nothing is sent twice", async () => {
    const account = await connect("tiktok");
    let faults = 0;
    const flaky = { ...ctx, db: faultyWrites(ctx.db, { matches: (v) => "lastRefreshedAt" in v, fail: 3, onFault: () => faults++ }) };
    const refreshing = refreshAccountTokens(flaky, account.id, { force: true });
    // After each failed write the holder pauses on the clock (250 ms, 500 ms, 1 s) and tries again.
    for (const [nth, pause] of [[1, 250], [2, 500], [3, 1_000]] as const) {
      await expect.poll(() => faults).toBe(nth);
      await clock.tick(pause);
    }
    expect((await refreshing)?.kind).toBe("refreshed");
    expect(await storedRefreshToken(account.id)).not.toBe(account.refreshToken);
    expect(hosts.refreshes.map((r) => r.outcome)).toEqual(["refreshed"]);
  });

  it("a TikTok refresh cut off between the reply and the write: the next one sends nothing and says refresh_failed", async () => {
    const account = await connect("tiktok");
    const dying = { ...ctx, db: faultyWrites(ctx.db, { matches: (v) => "lastRefreshedAt" in v, fail: "hang" }) };
    void refreshAccountTokens(dying, account.id, { force: true });
    await expect.poll(() => hosts.refreshes.length).toBe(1);
    // Within the lease, nobody else may refresh; after it, the claim is known to be abandoned.
    expect(await refreshAccountTokens(ctx, account.id, { force: true })).toMatchObject({ kind: "unchanged", why: "in_progress" });
    await later(REFRESH_LEASE_MS);
    expect(await refreshAccountTokens(ctx, account.id, { force: true })).toMatchObject({ kind: "needs_reauth", reason: "refresh_failed" });
    expect(hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([[account.refreshToken, "refreshed"]]);
  });

  it("an Instagram refresh cut off the same way is simply refreshed again: its token is still valid", async () => {
    const account = await connect("instagram");
    await later(DAY);
    const dying = { ...ctx, db: faultyWrites(ctx.db, { matches: (v) => "lastRefreshedAt" in v, fail: "hang" }) };
    void refreshAccountTokens(dying, account.id, { force: true });
    await expect.poll(() => hosts.refreshes.length).toBe(1);
    await later(REFRESH_LEASE_MS);
    expect((await refreshAccountTokens(ctx, account.id, { force: true }))?.kind).toBe("refreshed");
    expect(hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([
      [account.accessToken, "refreshed"],
      [account.accessToken, "refreshed"],
    ]);
  });
});

describe("reconnecting", () => {
  it("makes a needs_reauth account active again with the same id, and never blanks the stored refresh token", async () => {
    const account = await connect("tiktok");
    hosts.revoke(account.refreshToken!);
    await refreshAccountTokens(ctx, account.id, { force: true });
    const before = await row(account.id);
    const again = await upsertSocialAccount(ctx, modeScope(orgScope(tenant.orgId, { type: "system" }), "live"), {
      projectId: tenant.projectId,
      platform: "tiktok",
      profile: { platformUserId: before.platformUserId, username: "creator", displayName: null, avatarUrl: null },
      tokens: { accessToken: "act.again", accessTokenExpiresAt: new Date(clock.now() + DAY), refreshToken: null, refreshTokenExpiresAt: null, grantedScopes: null, platformUserId: null },
      grantedScopes: ["user.info.basic"],
    });
    expect(again).toMatchObject({ id: account.id, created: false });
    const after = await row(account.id);
    expect([after.status, after.reauthReason, after.refreshAfter?.getTime()]).toEqual(["active", null, clock.now() + DAY - 30 * 60_000]);
    expect(await storedRefreshToken(account.id)).toBe(account.refreshToken);
  });
});
