import { describe, expect, it } from "vitest";
import { sweepDueAccounts } from "@/server/accounts/sweep";
import { DAY, useRefreshSweep } from "@/test-support/refreshSweep";

/**
 * The refresh sweep over days (test-support/refreshSweep.ts): Instagram's
 * 60-day tokens kept alive for 150 days by two instances working the
 * queues, and the sweep's paging. Hours of TikTok tokens are in
 * workers.test.ts.
 */
const sweep = useRefreshSweep();
const { clock, advance, connect, row } = sweep;

describe("the refresh sweep over days, with two instances working the queues", () => {
  it("refreshes Instagram's 60-day tokens past half their life, for 150 days", async () => {
    const account = await connect("instagram");
    for (let day = 0; day < 150; day++) {
      await advance(DAY);
      expect((await row(account.id)).status).toBe("active");
    }
    const refreshed = sweep.hosts.refreshes.filter((r) => r.platform === "instagram" && r.outcome === "refreshed");
    expect(refreshed.length).toBe(5);
  }, 300_000);
});

describe("sweepDueAccounts", () => {
  it("hands over every due account a page at a time, in the order they came due, never the ones not yet due", async () => {
    const due = [];
    for (let i = 0; i < 7; i++) due.push((await connect("tiktok", { accessTtlS: 60 })).id);
    const notDue = await connect("tiktok");
    await clock.setTime(clock.now() + 45_000);
    const pages: string[][] = [];
    const found = await sweepDueAccounts(sweep.ctx(), async (ids) => void pages.push(ids), 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(found).toBe(7);
    expect(pages.flat().sort()).toEqual([...due].sort());
    expect(pages.flat()).not.toContain(notDue.id);
  });
});
