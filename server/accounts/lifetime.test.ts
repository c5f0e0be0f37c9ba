import { describe, expect, it } from "vitest";
import { planRefresh } from "./lifetime";

const T0 = Date.parse("2026-06-01T00:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0 + ms);
const plan = (platform: "tiktok" | "instagram", access: number | null, refresh: number | null, aheadMs = 30 * MIN) =>
  planRefresh(platform, { issuedAt: at(0), accessTokenExpiresAt: access === null ? null : at(access), refreshTokenExpiresAt: refresh === null ? null : at(refresh) }, aheadMs)?.getTime();

describe("planRefresh", () => {
  it("TikTok: LAYERS_REFRESH_AHEAD before the access token expires", () => {
    expect(plan("tiktok", DAY, 365 * DAY)).toBe(T0 + DAY - 30 * MIN);
    expect(plan("tiktok", 2 * HOUR, 180 * DAY, 10 * MIN)).toBe(T0 + 2 * HOUR - 10 * MIN);
  });

  it("TikTok: before the refresh token expires when that comes first", () => {
    expect(plan("tiktok", DAY, 2 * HOUR)).toBe(T0 + 90 * MIN);
  });

  it("TikTok: never before half the access token's life, so a one-minute token is not refreshed on every sweep", () => {
    expect(plan("tiktok", MIN, HOUR)).toBe(T0 + 30_000);
  });

  it("Instagram: once 24 h old and past half its life", () => {
    expect(plan("instagram", 60 * DAY, null)).toBe(T0 + 30 * DAY);
    expect(plan("instagram", 36 * HOUR, null)).toBe(T0 + DAY);
  });

  it("Instagram: a token that dies before it may be refreshed is due when it expires", () => {
    expect(plan("instagram", 2 * MIN, null)).toBe(T0 + 2 * MIN);
    expect(plan("instagram", 20 * HOUR, null)).toBe(T0 + 20 * HOUR);
  });

  it("no lifetime from the platform: no plan, never a guess", () => {
    expect(plan("tiktok", null, 365 * DAY)).toBeUndefined();
    expect(plan("instagram", null, null)).toBeUndefined();
  });
});
