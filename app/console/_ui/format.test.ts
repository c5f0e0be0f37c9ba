import { describe, expect, it } from "vitest";
import { durationWords, reauthLabel, relativeTime } from "./format";

const NOW = Date.parse("2025-11-25T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;

describe("relativeTime", () => {
  it("reads the future as 'in …' and the past as '… ago', in the largest natural unit", () => {
    expect(relativeTime(NOW + 3 * HOUR, NOW)).toBe("in 3 hours");
    expect(relativeTime(NOW - 5 * MIN, NOW)).toBe("5 minutes ago");
    expect(relativeTime(NOW + 1 * HOUR, NOW)).toBe("in 1 hour");
    expect(relativeTime(NOW - 2 * 24 * HOUR, NOW)).toBe("2 days ago");
    expect(relativeTime(NOW + 90 * 24 * HOUR, NOW)).toBe("in 3 months");
  });

  it("says 'just now' for under a minute ago, and picks the unit after rounding", () => {
    expect(relativeTime(NOW - 20_000, NOW)).toBe("just now");
    expect(relativeTime(NOW, NOW)).toBe("just now");
    expect(relativeTime(NOW + 20_000, NOW)).toBe("in less than a minute");
    expect(relativeTime(NOW + 59.6 * MIN, NOW)).toBe("in 1 hour");
    expect(relativeTime(NOW + 23.6 * HOUR, NOW)).toBe("in 1 day");
  });
});

describe("durationWords", () => {
  it("names an interval in its largest whole unit", () => {
    expect(durationWords(300_000)).toBe("5 minutes");
    expect(durationWords(60_000)).toBe("1 minute");
    expect(durationWords(2_000)).toBe("2 seconds");
    expect(durationWords(90_000)).toBe("90 seconds");
    expect(durationWords(1_500)).toBe("1500 ms");
  });
});

describe("reauthLabel", () => {
  it("puts each reason in plain words, and an unknown one still reads as words", () => {
    expect(reauthLabel("token_revoked")).toBe("Access withdrawn");
    expect(reauthLabel("something_new")).toBe("something new");
  });
});
