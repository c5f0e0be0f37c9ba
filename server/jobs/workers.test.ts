import { describe, expect, it } from "vitest";
import { HOUR, MIN, useRefreshSweep } from "@/test-support/refreshSweep";

/**
 * The refresh sweep as the job system runs it (test-support/refreshSweep.ts):
 * two instances working the queues on one test clock, against TikTok's and
 * Instagram's token hosts, in minutes and hours. The 150 days of Instagram
 * tokens and the sweep's paging are in workers.days.test.ts: the two long
 * runs are in separate files so that they run side by side.
 */
const sweep = useRefreshSweep();
const { clock, advance, connect, row } = sweep;

/** No refresh token was ever sent twice, and the platform never had to refuse one. */
const sentOnce = () => {
  const tokens = sweep.hosts.refreshes.filter((r) => r.platform === "tiktok").map((r) => r.token);
  return { duplicates: tokens.filter((t, i) => tokens.indexOf(t) !== i), refused: sweep.hosts.refreshes.filter((r) => r.outcome === "refused").length };
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
    expect(sweep.hosts.refreshes.filter((r) => r.platform === "tiktok" && r.outcome === "refreshed").length).toBeGreaterThanOrEqual(3 * 20);
    expect(perAccount.every((token) => sweep.hosts.timesSent(token!) === 1)).toBe(true);
    expect(sentOnce()).toEqual({ duplicates: [], refused: 0 });
    expect(sweep.hosts.refreshes.filter((r) => r.platform === "instagram")).toEqual([]);
  }, 300_000);

  it("one due account, two instances sweeping and working: one refresh call", async () => {
    const account = await connect("tiktok", { accessTtlS: 300 });
    await advance(3 * MIN);
    expect(sweep.hosts.refreshes.map((r) => [r.token, r.outcome])).toEqual([[account.refreshToken, "refreshed"]]);
  });

  it("a withdrawn grant is needs_reauth with its reason at the first sweep that finds the account due", async () => {
    const account = await connect("tiktok", { accessTtlS: 300 });
    sweep.hosts.revoke(account.refreshToken!);
    await advance(2 * MIN);
    expect((await row(account.id)).status).toBe("active");
    await advance(MIN);
    expect(await row(account.id)).toMatchObject({ status: "needs_reauth", reauthReason: "token_revoked" });
    const before = sweep.hosts.refreshes.length;
    await advance(10 * MIN);
    expect(sweep.hosts.refreshes.length).toBe(before);
  });

  it("a platform failing for a while: the job is retried with backoff, the account unchanged meanwhile, then refreshed", async () => {
    const account = await connect("tiktok", { accessTtlS: 600 });
    await advance(4 * MIN);
    sweep.hosts.failNext(2, "http_500");
    const before = await row(account.id);
    const sent = () => sweep.hosts.refreshes.filter((r) => r.token === account.refreshToken).map((r) => r.outcome);
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
