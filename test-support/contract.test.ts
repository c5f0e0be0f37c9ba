import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer } from "./contract";
import { request } from "./harness";
import { TestApi } from "./testApi";

const ACCOUNT = {
  id: "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB",
  projectId: "prj_01HXZ8K2M4P5QRS6TV7WXYZ9AB",
  platform: "tiktok",
  platformUserId: "123",
  username: "creator",
  displayName: null,
  avatarUrl: null,
  grantedScopes: ["user.info.basic"],
  status: "active",
  reauthReason: null,
  accessTokenExpiresAt: "2026-05-02T12:00:00.000Z",
  lastRefreshedAt: null,
  livemode: false,
  createdAt: "2026-05-01T12:00:00.000Z",
  updatedAt: "2026-05-01T12:00:00.000Z",
};

const json = (status: number, body: unknown) => ({
  status,
  headers: new Headers({ "content-type": "application/json" }),
  text: JSON.stringify(body),
  body,
});
const error = (status: number, code: string) => json(status, { error: { code, message: "m", requestId: "req_1" } });
const ACCOUNT_PATH = `/v1/social/accounts/${ACCOUNT.id}`;

describe("checkAnswer", () => {
  it("accepts an answer the table declares, in the declared shape", () => {
    expect(() => checkAnswer("GET", ACCOUNT_PATH, json(200, ACCOUNT))).not.toThrow();
    expect(() => checkAnswer("GET", ACCOUNT_PATH, error(404, "NOT_FOUND"))).not.toThrow();
    expect(() => checkAnswer("DELETE", ACCOUNT_PATH, { status: 204, headers: new Headers(), text: "", body: undefined })).not.toThrow();
  });

  it("refuses a body with a field the table does not name, or a field of the wrong type", () => {
    expect(() => checkAnswer("GET", ACCOUNT_PATH, json(200, { ...ACCOUNT, accessToken: "act.1" }))).toThrow(/schema refuses/);
    expect(() => checkAnswer("GET", ACCOUNT_PATH, json(200, { ...ACCOUNT, livemode: "no" }))).toThrow(/schema refuses/);
  });

  it("refuses a status the route does not declare, and a code the route does not list at that status", () => {
    expect(() => checkAnswer("GET", ACCOUNT_PATH, json(201, ACCOUNT))).toThrow(/does not declare/);
    expect(() => checkAnswer("GET", ACCOUNT_PATH, error(409, "IDEMPOTENCY_CONFLICT"))).toThrow(/does not declare/);
    expect(() => checkAnswer("GET", ACCOUNT_PATH, error(403, "RETURN_URL_NOT_ALLOWED"))).toThrow(/does not list/);
    expect(() => checkAnswer("GET", ACCOUNT_PATH, json(404, { message: "not found" }))).toThrow(/schema refuses/);
  });

  it("checks non-JSON answers by status and content type", () => {
    const callback = "/v1/social/oauth/callback/tiktok";
    expect(() => checkAnswer("GET", callback, { status: 303, headers: new Headers({ location: "https://a.example/" }), text: "", body: undefined })).not.toThrow();
    expect(() => checkAnswer("GET", callback, { status: 303, headers: new Headers(), text: "", body: undefined })).toThrow(/Location/);
    expect(() => checkAnswer("GET", callback, { status: 400, headers: new Headers({ "content-type": "text/html" }), text: "<p>", body: undefined })).not.toThrow();
    expect(() => checkAnswer("GET", callback, error(400, "VALIDATION"))).toThrow(/HTML/);
    expect(() => checkAnswer("DELETE", ACCOUNT_PATH, { status: 204, headers: new Headers(), text: "x", body: undefined })).toThrow(/body/);
  });

  it("leaves paths outside the table alone", () => {
    expect(() => checkAnswer("GET", "/v1/broken", json(418, {}))).not.toThrow();
    expect(() => checkAnswer("PUT", ACCOUNT_PATH, json(418, {}))).not.toThrow();
  });
});

describe("the harness's request()", () => {
  let api: TestApi;
  beforeAll(async () => {
    // A route that leaks a token: the check must fail the test that called it.
    api = await new TestApi().route("GET", "/v1/social/accounts/:id", async () => Response.json({ ...ACCOUNT, accessToken: "act.1" })).listen();
  });
  afterAll(() => api.close());

  it("fails the request whose answer breaks the table", async () => {
    await expect(request(api, "GET", ACCOUNT_PATH)).rejects.toThrow(/GET \/v1\/social\/accounts\/sa_\w+ answered 200 with a body the route table's schema refuses/);
  });
});
