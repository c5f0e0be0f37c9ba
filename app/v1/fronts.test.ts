import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/services";
import { request, startApi, startTestServices, type TestApi } from "@/test-support/harness";

/**
 * The /v1 suite runs twice in `npm test`: through the production front, and
 * (LAYERS_TEST_V1=next, `npm run test:next-router`) through Next's own
 * router over the build. This proves each run went the way it says: Next's
 * router marks its answers with its RSC Vary tokens, the front never does.
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
  it(`is ${process.env.LAYERS_TEST_V1 === "next" ? "Next's router" : "the front"}, as LAYERS_TEST_V1 says`, async () => {
    const res = await request(api, "GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    const vary = res.headers.get("vary") ?? "";
    if (process.env.LAYERS_TEST_V1 === "next") expect(vary).toMatch(/\brsc\b/i);
    else expect(vary).not.toMatch(/\brsc\b/i);
  });
});
