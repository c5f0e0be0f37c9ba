import { describe, expect, it } from "vitest";
import { describeExpiry } from "./LinkExpiry";

const at = new Date("2026-12-04T14:32:00Z");
const minutesBefore = (n: number) => at.getTime() - n * 60_000;

describe("describeExpiry: a connect link's end, in the end-customer's words", () => {
  it("says how many minutes are left and the local time, in English", () => {
    expect(describeExpiry(at, minutesBefore(9), "en-US", "UTC")).toBe("This link stops working in 9 minutes (at 2:32 PM).");
    expect(describeExpiry(at, minutesBefore(1), "en-GB", "Europe/London")).toBe("This link stops working in 1 minute (at 14:32).");
  });

  it("rounds a part-minute up, so it never says 0 while the link still works", () => {
    expect(describeExpiry(at, at.getTime() - 20_000, "en-US", "UTC")).toBe("This link stops working in 1 minute (at 2:32 PM).");
  });

  it("writes the time as the locale does, in its time zone; the words stay those of the (English) page", () => {
    expect(describeExpiry(at, minutesBefore(9), "de-DE", "Europe/Berlin")).toBe("This link stops working in 9 minutes (at 15:32).");
    expect(describeExpiry(at, minutesBefore(9), "en-US", "America/New_York")).toBe("This link stops working in 9 minutes (at 9:32 AM).");
  });

  it("says the link has expired once the time has passed", () => {
    expect(describeExpiry(at, at.getTime() + 1_000, "en-US", "UTC")).toMatch(/^This link has expired/);
  });
});
