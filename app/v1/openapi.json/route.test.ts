import { readFileSync } from "node:fs";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/services";
import { request, startApi, startTestServices, type TestApi } from "@/test-support/harness";

let services: Services;
let api: TestApi;

beforeAll(async () => {
  services = await startTestServices();
  api = await startApi();
});
afterAll(async () => {
  await api.close();
  await services.close();
});

describe("GET /v1/openapi.json", () => {
  it("serves the committed document without a key, and it validates", async () => {
    const res = await request(api, "GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.text).toBe(readFileSync(join(import.meta.dirname, "..", "..", "..", "openapi.json"), "utf8"));
    await expect(SwaggerParser.validate(res.body)).resolves.toMatchObject({ openapi: "3.1.0" });
  });

  it("answers other methods with the JSON 405", async () => {
    // TestApi mounts only the table's methods: call the route file's handler as Next would.
    const route = await import("./route");
    const res = await route.POST(new Request("http://layers.test/v1/openapi.json", { method: "POST" }), { params: Promise.resolve({}) });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect((await res.json()).error.code).toBe("METHOD_NOT_ALLOWED");
  });
});

/**
 * The /v1 suite runs three times in `npm test`: through the production
 * front over the sources, then (`npm run test:built`) through Next's own
 * router over the build (LAYERS_TEST_V1=next) and through the front over
 * the build (built-front, as `npm start` serves). This proves the router
 * runs went the way they say: Next's router marks its answers with its RSC
 * Vary tokens, the front never does.
 */
describe("the harness's /v1 path", () => {
  it(`is ${process.env.LAYERS_TEST_V1 === "next" ? "Next's router" : "the front"}, as LAYERS_TEST_V1 (${process.env.LAYERS_TEST_V1 ?? "front"}) says`, async () => {
    const res = await request(api, "GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    const vary = res.headers.get("vary") ?? "";
    if (process.env.LAYERS_TEST_V1 === "next") expect(vary).toMatch(/\brsc\b/i);
    else expect(vary).not.toMatch(/\brsc\b/i);
  });
});
