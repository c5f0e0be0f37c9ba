import { describe, expect, it } from "vitest";
import { newId } from "@/db/ids";
import { pooledRandom } from "./pooledRandom";

describe("pooledRandom", () => {
  it("gives byte-sized steps in [0, 1), past many refills of its pool, spread over every value", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const value = pooledRandom();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      expect(Number.isInteger(value * 256)).toBe(true);
      seen.add(value);
    }
    // 20,000 draws over 256 values: each appears about 78 times; a stuck or short pool would not reach them all.
    expect(seen.size).toBe(256);
  });

  it("makes ids that are ULIDs and distinct", () => {
    const made = Array.from({ length: 10_000 }, () => newId("req"));
    for (const id of made.slice(0, 50)) expect(id).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(made).size).toBe(made.length);
  });
});
