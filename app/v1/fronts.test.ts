import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/services";
import { request, startApi, startTestServices, type TestApi } from "@/test-support/harness";

/**
 * The /v1 suite runs three times in `npm test`: through the production
 * front over the sources, then (`npm run test:built`) through Next's own
 * router over the build (LAYERS_TEST_V1=next) and through the front over
 * the build (built-front, as `npm start` serves). This proves the router
 * runs went the way they say: Next's router marks its answers with its RSC
 * Vary tokens, the front never does.
 */
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

describe("the harness's /v1 path", () => {
  it(`is ${process.env.LAYERS_TEST_V1 === "next" ? "Next's router" : "the front"}, as LAYERS_TEST_V1 (${process.env.LAYERS_TEST_V1 ?? "front"}) says`, async () => {
    const res = await request(api, "GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    const vary = res.headers.get("vary") ?? "";
    if (process.env.LAYERS_TEST_V1 === "next") expect(vary).toMatch(/\brsc\b/i);
    else expect(vary).not.toMatch(/\brsc\b/i);
  });
});
