import { describe, expect, it } from "vitest";
import { AppError, isDatabaseUnavailable, isUniqueViolation, toAppError } from "./errors";

const coded = (code: string, cause?: unknown) => Object.assign(new Error(`failed ${code}`, { cause }), { code });
// drizzle wraps the driver's error: "query failed" with the driver's error as its cause.
const wrapped = (code: string) => new Error("query failed", { cause: coded(code) });

describe("isDatabaseUnavailable", () => {
  it.each(["ECONNREFUSED", "ECONNRESET", "EPIPE", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "57P01", "53300", "08006"])("counts %s, also when wrapped", (code) => {
    expect(isDatabaseUnavailable(coded(code))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(code))).toBe(true);
  });

  it("finds a connection failure inside an AggregateError (every address refused)", () => {
    expect(isDatabaseUnavailable(new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")]))).toBe(true);
  });

  it.each(["23505", "42P01", "57014", "ERR_INVALID_ARG_TYPE"])("does not count %s", (code) => {
    expect(isDatabaseUnavailable(wrapped(code))).toBe(false);
  });
});

describe("toAppError", () => {
  it("answers a write to a socket PostgreSQL just closed (EPIPE) as 503 UNAVAILABLE with Retry-After", () => {
    const answer = toAppError(wrapped("EPIPE"), "req_test");
    expect([answer.code, answer.status, answer.extra.retryAfterSeconds]).toEqual(["UNAVAILABLE", 503, 5]);
  });

  it("answers anything else unknown as 500 INTERNAL quoting the request id", () => {
    const answer = toAppError(new TypeError("boom"), "req_test");
    expect([answer.code, answer.status, answer.message.includes("req_test")]).toEqual(["INTERNAL", 500, true]);
  });

  it("passes an AppError through unchanged", () => {
    const error = new AppError("NOT_FOUND", "no such project");
    expect(toAppError(error, "req_test")).toBe(error);
  });
});

describe("isUniqueViolation", () => {
  it("finds 23505 through drizzle's wrapper and nothing else", () => {
    expect([isUniqueViolation(wrapped("23505")), isUniqueViolation(wrapped("23503"))]).toEqual([true, false]);
  });
});
