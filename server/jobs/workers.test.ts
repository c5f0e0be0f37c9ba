import { eq } from "drizzle-orm";
import { TestClock } from "pg-boss";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { socialAccounts } from "@/db/schema";
import { upsertSocialAccount } from "@/server/accounts/service";
import { sweepDueAccounts } from "@/server/accounts/sweep";
import { domainContext } from "@/server/domain/context";
import { modeScope, orgScope } from "@/server/domain/scope";
import { assembleServices, type Services } from "@/server/services";
import { freshDatabase } from "@/test-support/freshDatabase";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { type PlatformHosts, startPlatformHosts } from "@/test-support/platformHosts";
import { runWorkers, type Workers } from "./workers";

/**
 * The refresh sweep as the job system runs it: pg-boss on this run's
 * database (PGlite, or PostgreSQL with DATABASE_URL), its timers and its
 * SQL's "now" on one test clock, against TikTok's and Instagram's token
 * hosts. Its own database: the sweep acts on every account there is.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const clock = new TestClock("2026-06-01T00:00:00Z");
let hosts: PlatformHosts;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let services: Services;
/** A second instance on the same database: its own job system and workers. */
let second: Services;
let workers: Workers[];
let tenant: Tenant;

beforeAll(async () => {
  hosts = await startPlatformHosts(() => clock.now());
  fresh = await freshDatabase();
  services = await startTestServices({ env: { ...hosts.env, DATABASE_URL: fresh.url, LAYERS_REFRESH_SWEEP: "2s" }, clock });
  second = assembleServices(services.config, services.database, services.limiter, { clock });
  workers = [await runWorkers(services.jobs, domainContext(services)), await runWorkers(second.jobs, domainContext(second))];
  tenant = await seedTenant(services, { mode: "live" });
}, 120_000);
beforeEach(() => {
  hosts.refreshes.length = 0;
});
// Each test's accounts leave with it: the sweep acts on every account in the database.
afterEach(async () => {
  await Promise.all(workers.map((w) => w.settled()));
  await services.database.db.update(socialAccounts).set({ status: "disconnected", refreshAfter: null });
});
afterAll(async () => {
  await second?.jobs.stop();
  await services?.close();
  await hosts?.close();
  await fresh?.drop();
});

/** Moves the clock on by `ms` (a jump, then the last 5 s ticked so the sweep and the pollers run) and lets the jobs finish. */
async function advance(ms: number) {
  await clock.setTime(clock.now() + ms - 5_000);
  for (let i = 0; i < 5; i++) {
    await clock.tick(1_000);
    await Promise.all(workers.map((w) => w.settled()));
  }
}

async function connect(platform: "tiktok" | "instagram", lifetimes: { accessTtlS?: number; refreshTtlS?: number; ttlS?: number } = {}) {
  const now = clock.now();
  const tiktok = platform === "tiktok" ? hosts.issueTikTok(lifetimes) : undefined;
  const instagram = platform === "instagram" ? hosts.issueInstagram({ ttlS: lifetimes.ttlS }) : undefined;
  const accessToken = tiktok?.accessToken ?? instagram!.accessToken;
  const { id } = await upsertSocialAccount(domainContext(services), modeScope(orgScope(tenant.orgId, { type: "system" }), "live"), {
    projectId: tenant.projectId,
    platform,
    profile: { platformUserId: `u_${Math.random().toString(36).slice(2)}`, username: "creator", displayName: null, avatarUrl: null },
    tokens: {
      accessToken,
      accessTokenExpiresAt: new Date(now + (tiktok?.accessTtlS ?? instagram!.ttlS) * 1000),
      refreshToken: tiktok?.refreshToken ?? null,
      refreshTokenExpiresAt: tiktok ? new Date(now + tiktok.refreshTtlS * 1000) : null,
      grantedScopes: null,
      platformUserId: null,
    },
    grantedScopes: [platform === "tiktok" ? "user.info.basic" : "instagram_business_basic"],
  });
  return { id, accessToken, refreshToken: tiktok?.refreshToken ?? null };
}

const row = async (id: string) => (await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)))[0]!;
/** No refresh token was ever sent twice, and the platform never had to refuse one. */
const sentOnce = () => {
  const tokens = hosts.refreshes.filter((r) => r.platform === "tiktok").map((r) => r.token);
  return { duplicates: tokens.filter((t, i) => tokens.indexOf(t) !== i), refused: hosts.refreshes.filter((r) => r.outcome === "refused").length };
};

describe("the refresh sweep, with two instances working the queues", () => {
  it("keeps TikTok accounts with five-minute tokens and Instagram accounts active for an hour, never sending a refresh token twice", async () => {
    const tiktok = await Promise.all([1, 2, 3].map(() => connect("tiktok", { accessTtlS: 300, refreshTtlS: 7 * 24 * 3600 })));
    const instagram = await connect("instagram");
    const start = clock.now();
    while (clock.now() - start < HOUR) {
      await advance(20_000);
      for (const { id } of [...tiktok, instagram]) {
        const account = await row(id);
        expect(account.status, `${id} at +${(clock.now() - start) / 1000}s`).toBe("active");
        expect(account.accessTokenExpiresAt!.getTime(), `${id}'s access token expired at +${(clock.now() - start) / 1000}s`).toBeGreaterThan(clock.now());
      }
    }
    // A five-minute token is refreshed at half its life: about 24 times an hour, each with the last rotated token.
    const perAccount = tiktok.map(({ refreshToken }) => refreshToken);
    expect(hosts.refreshes.filter((r) => r.platform === "tiktok" && r.outcome === "refreshed").length).toBeGreaterThanOrEqual(3 * 20);
    expect(perAccount.every((token) => hosts.timesSent(token!) === 1)).toBe(true);
    expect(sentOnce()).toEqual({ duplicates: [], refused: 0 });
    expect(hosts.refreshes.filter((r) => r.platform === "instagram")).toEqual([]);
  }, 300_000);

  it("one due account, two instances sweeping and working: one refresh call", async () => {
    const account = await connect("tiktok", { accessTtlS: 300 });
    await advance(3 * MIN);
    expect(hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([[account.refreshToken, "refreshed"]]);
  });

  it("refreshes Instagram's 60-day tokens past half their life, for 150 days", async () => {
    const account = await connect("instagram");
    for (let day = 0; day < 150; day++) {
      await advance(DAY);
      expect((await row(account.id)).status).toBe("active");
    }
    const refreshed = hosts.refreshes.filter((r) => r.platform === "instagram" && r.outcome === "refreshed");
    expect(refreshed.length).toBe(5);
  }, 300_000);

  it("a withdrawn grant is needs_reauth with its reason at the first sweep that finds the account due", async () => {
    const account = await connect("tiktok", { accessTtlS: 300 });
    hosts.revoke(account.refreshToken!);
    await advance(2 * MIN);
    expect((await row(account.id)).status).toBe("active");
    await advance(MIN);
    expect(await row(account.id)).toMatchObject({ status: "needs_reauth", reauthReason: "token_revoked" });
    const before = hosts.refreshes.length;
    await advance(10 * MIN);
    expect(hosts.refreshes.length).toBe(before);
  });

  it("a platform failing for a while: the job is retried with backoff, the account unchanged meanwhile, then refreshed", async () => {
    const account = await connect("tiktok", { accessTtlS: 600 });
    await advance(4 * MIN);
    hosts.failNext(2, "http_500");
    const before = await row(account.id);
    const sent = () => hosts.refreshes.filter((r) => r.token === account.refreshToken).map((r) => r.outcome);
    while (sent().length === 0) await advance(5_000);
    expect(sent()).toEqual(["failed"]);
    expect(await row(account.id)).toEqual(before);
    for (let minute = 0; minute < 6; minute++) await advance(MIN);
    const after = await row(account.id);
    expect(after.status).toBe("active");
    expect(after.lastRefreshedAt!.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    expect(sent()).toEqual(["failed", "failed", "refreshed"]);
  });
});

describe("sweepDueAccounts", () => {
  it("hands over every due account a page at a time, in the order they came due, never the ones not yet due", async () => {
    const due = [];
    for (let i = 0; i < 7; i++) due.push((await connect("tiktok", { accessTtlS: 60 })).id);
    const notDue = await connect("tiktok");
    await clock.setTime(clock.now() + 45_000);
    const pages: string[][] = [];
    const found = await sweepDueAccounts(domainContext(services), async (ids) => void pages.push(ids), 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(found).toBe(7);
    expect(pages.flat().sort()).toEqual([...due].sort());
    expect(pages.flat()).not.toContain(notDue.id);
  });
});
