import { describe, expect, it } from "vitest";
import { AppError, ERROR_STATUS, errorBodyOf } from "../errors";
import { logRoute } from "./logRoute";
import { requestIdFrom } from "./requestId";
import { refusalBody, requestIdFor, v1Refusal } from "./v1Guard";

describe("v1Refusal", () => {
  it.each(["/v1/social/oauth-status/%zz", "/v1/social/oauth-status/%", "/v1/%C0%AF", "/v1/x/%E0%A4%A"])(
    "refuses a path that is not valid percent-encoding (%s) with 400 VALIDATION",
    (path) => {
      expect(v1Refusal("GET", path)).toMatchObject({ status: 400, code: "VALIDATION" });
    },
  );

  it.each(["/v1", "/v1/", "/V1/social/accounts/sa_1", "/v1/social/accounts/", "/v1/openapi.json/", "/V1", "/v1//social/accounts", "/v1/../x", "/v1/%2e%2e/v1/openapi.json", "/v1/./openapi.json", "/v1/social/accounts/%5C", "/v1/social/accounts/\\"])(
    "answers %s with 404 NOT_FOUND (no endpoint there, whatever Next would route)",
    (path) => {
      expect(v1Refusal("GET", path)).toMatchObject({ status: 404, code: "NOT_FOUND" });
    },
  );

  it.each(["TRACE", "OPTIONS", "CONNECT", "PROPFIND"])("answers %s with 405 METHOD_NOT_ALLOWED and Allow", (method) => {
    expect(v1Refusal(method, "/v1/social/accounts/sa_1")).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED", allow: "GET, HEAD, POST, PUT, PATCH, DELETE" });
  });

  it("lets routable /v1 requests and every other path through, ignoring the query", () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]) expect(v1Refusal(method, "/v1/social/accounts/sa_1")).toBeNull();
    expect(v1Refusal("GET", "/v1/social/oauth-status/st_1?x=%zz")).toBeNull();
    expect(v1Refusal("GET", "/v1/social/a%20b")).toBeNull();
    expect(v1Refusal("TRACE", "/connect/%zz")).toBeNull();
    expect(v1Refusal("GET", "/v10/x")).toBeNull();
  });

  it("gives each refusal a contract status and the same body errorBodyOf gives", () => {
    for (const [method, path] of [["GET", "/v1/%zz"], ["GET", "/v1"], ["TRACE", "/v1/x"]] as const) {
      const refusal = v1Refusal(method, path)!;
      expect(refusal.status).toBe(ERROR_STATUS[refusal.code]);
      expect(refusalBody(refusal, "req_1")).toEqual(errorBodyOf(new AppError(refusal.code, refusal.message, { issues: refusal.issues }), "req_1"));
    }
  });
});

describe("requestIdFor", () => {
  it("follows requestId.ts's rule: a plain incoming id is reused, anything else replaced", () => {
    for (const incoming of ["req_01HXYZABCDEFG", "abc", "<script>alert(1)</script>", "a b c d e f g h", "x".repeat(200), ""]) {
      const fromRule = requestIdFrom(new Headers(incoming ? { "x-request-id": incoming } : {}));
      const front = requestIdFor(incoming, () => "minted");
      expect(front === incoming).toBe(fromRule === incoming);
    }
    expect(requestIdFor(["a", "b"], () => "minted")).toBe("minted");
  });
});

describe("logRoute", () => {
  it("drops the query and names state-bearing paths by their pattern", () => {
    expect(logRoute("/v1/social/oauth/callback/tiktok?code=secret&state=st_x")).toBe("/v1/social/oauth/callback/tiktok");
    expect(logRoute("/v1/social/oauth-status/st_SECRET")).toBe("/v1/social/oauth-status/:state");
    expect(logRoute("/connect/st_SECRET?x=1")).toBe("/connect/:state");
    expect(logRoute("/connect/st_SECRET/go")).toBe("/connect/:state/go");
    expect(logRoute("/connect/return?state=st_SECRET")).toBe("/connect/return");
    expect(logRoute("/console/projects#frag")).toBe("/console/projects");
  });
});
