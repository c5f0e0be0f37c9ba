import { describe, expect, it } from "vitest";
import { findNul, jsonDepth, MAX_JSON_DEPTH, parseJsonBounded } from "./safeJson";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("parseJsonBounded", () => {
  it("parses JSON up to 32 levels and refuses deeper, before parsing", () => {
    expect(parseJsonBounded(nested(MAX_JSON_DEPTH))).toMatchObject({ ok: true });
    expect(parseJsonBounded(nested(MAX_JSON_DEPTH + 1))).toEqual({ ok: false, reason: "too_deep" });
    expect(parseJsonBounded(`{"a":${nested(40)}}`)).toEqual({ ok: false, reason: "too_deep" });
  });

  it("counts a 100k-deep array without recursing, and its unclosed form too", () => {
    expect(jsonDepth(nested(100_000))).toBe(100_000);
    expect(parseJsonBounded("[".repeat(100_000))).toEqual({ ok: false, reason: "too_deep" });
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    expect(jsonDepth(JSON.stringify({ note: "[[[[{{{{ \" [[[[" }))).toBe(1);
    expect(parseJsonBounded(JSON.stringify({ note: "[".repeat(100) }))).toEqual({ ok: true, value: { note: "[".repeat(100) } });
  });

  it("calls malformed JSON invalid", () => {
    expect(parseJsonBounded("{not json")).toEqual({ ok: false, reason: "invalid" });
  });
});

describe("findNul", () => {
  it("finds a NUL in any string, value or key, and names where", () => {
    expect(findNul({ usageNote: "a\u0000b" })).toBe("usageNote");
    expect(findNul({ scopes: ["ok", "x\u0000"] })).toBe("scopes.1");
    expect(findNul({ ["k\u0000"]: 1 })).toBe("k\\u0000");
    expect(findNul("\u0000")).toBe("(body)");
    expect(findNul(new URLSearchParams({ cursor: "a\u0000" }), "query")).toBe("query.cursor");
  });

  it("is null when there is none, at any depth", () => {
    expect(findNul({ a: [1, true, null, "text"], b: { c: "d" } })).toBeNull();
    let deep: unknown = "end";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep)).toBeNull();
  });
});
