import { describe, expect, it } from "vitest";
import { budgetSchema, parseBudget } from "./budget";

describe("parseBudget", () => {
  it.each([
    ["60/60s", 60, 60_000, "60/60s"],
    ["1/1s", 1, 1_000, "1/1s"],
    ["100/1m", 100, 60_000, "100/1m"],
    ["5000/1h", 5000, 3_600_000, "5000/1h"],
    ["10000/1d", 10000, 86_400_000, "10000/1d"],
    ["10/1500ms", 10, 1_500, "10/1500ms"],
    ["  60/60s ", 60, 60_000, "60/60s"],
  ])("parses %j", (input, tokens, windowMs, text) => {
    expect(parseBudget(input)).toEqual({ tokens, windowMs, text });
  });

  it.each([
    "60",
    "0/60s",
    "60/0s",
    "abc",
    "60/60x",
    "",
    "60/s",
    "/60s",
    "-1/60s",
    "1.5/60s",
    "60/60",
    "60 / 60s",
    "60/60S",
    "60/999ms",
    "1234567890/60s",
  ])("rejects %j", (input) => {
    expect(parseBudget(input)).toBeNull();
  });

  it("budgetSchema parses valid budgets and rejects invalid ones", () => {
    expect(budgetSchema.parse("60/60s")).toEqual({ tokens: 60, windowMs: 60_000, text: "60/60s" });
    const result = budgetSchema.safeParse("60");
    expect(result.success).toBe(false);
  });
});
