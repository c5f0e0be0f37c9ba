/**
 * Bounded input and safe faults on the console's API: the fetch adapter's
 * body is judged by bytes before it is read whole, deep JSON and NUL
 * characters are BAD_REQUEST, ids are checked with the REST patterns, and a
 * real failed query answers (to tRPC and to a server action's form) a
 * generic message with the request id, logging no parameters.
 */
import { trpcError } from "@/test-support/trpc";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainContext } from "../domain/context";
import type { AppError } from "../errors";
import { orgScope } from "../domain/scope";
import type { Services } from "../services";
import { createUser } from "../users/service";
import { failingQuery, QUERY_LEAKS } from "@/test-support/failingQuery";
import { capturedLogs, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { formStateFrom } from "./action";
import { handleTrpc } from "./handler";
import { createCallerFactory, publicProcedure, router } from "./init";
import { appRouter } from "./root";

let services: Services;
let tenant: Tenant;
let ownerId: string;

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services);
  ownerId = (await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email: `owner-${Math.random()}@example.com`, password: "correct horse battery", role: "owner" })).id;
});
afterAll(() => services.close());

const testRouter = router({
  echo: publicProcedure.input(z.object({ name: z.string(), tags: z.array(z.string()).optional() })).mutation(({ input }) => input),
  broken: publicProcedure.query(({ ctx }) => failingQuery(ctx.services.database.db)),
});
const requestId = "req_trpc_input_test";
const testCaller = () => createCallerFactory(testRouter)({ services, userId: null, requestId, source: "in-process" });
const owner = () => createCallerFactory(appRouter)({ services, userId: ownerId, requestId, source: "in-process" });


const post = (body: BodyInit | ReadableStream, headers: Record<string, string> = {}) =>
  handleTrpc(
    new Request(`${services.config.publicUrl}/api/trpc/projects.create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: services.config.publicUrl, "sec-fetch-site": "same-origin", ...headers },
      body,
      duplex: "half",
    } as RequestInit),
    async () => ownerId,
  );

describe("tRPC over HTTP: body bounds", () => {
  it("413 for a 70 KiB body, before the adapter reads it", async () => {
    const res = await post(JSON.stringify({ name: "x".repeat(70 * 1024) }));
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("413 for a chunked 1 MB body with no Content-Length", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1024 * 1024) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const res = await post(stream);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it("400 for JSON 40 levels deep; a normal call still goes through with the body read here", async () => {
    const deep = await post(`{"name":"x","tags":${"[".repeat(40)}${"]".repeat(40)}}`);
    expect(deep.status).toBe(400);
    const ok = await post(JSON.stringify({ name: "Made over HTTP" }));
    expect(ok.status).toBe(200);
    expect((await ok.json()).result.data.id).toMatch(/^prj_/);
  });
});

describe("tRPC input checks", () => {
  it("a NUL in any string of the input is BAD_REQUEST with the field named", async () => {
    const error = await trpcError(() => testCaller().echo({ name: "ok", tags: ["fine", "bad\u0000"] }));
    expect(error.code).toBe("BAD_REQUEST");
    expect((error.cause as AppError).extra.issues).toEqual([{ path: "tags.1", message: "must not contain a NUL character" }]);
    expect((await trpcError(() => owner().projects.create({ name: "a\u0000b" }))).code).toBe("BAD_REQUEST");
  });

  it.each([
    ["projects.rename", () => owner().projects.rename({ id: "prj_nope", name: "x" })],
    ["projects.archive", () => owner().projects.archive({ id: "../etc" })],
    ["apiKeys.get", () => owner().apiKeys.get({ id: "key" })],
    ["apiKeys.revoke", () => owner().apiKeys.revoke({ id: tenant.projectId })],
    ["allowlist.add", () => owner().allowlist.add({ keyId: "x", url: "https://a.example.com/cb" })],
    ["accounts.disconnect", () => owner().accounts.disconnect({ id: "sa_1", mode: "test" })],
    ["accounts.list", () => owner().accounts.list({ projectId: "prj_abc", mode: "test" })],
    ["attempts.get", () => owner().attempts.get({ state: "state", mode: "test" })],
    ["audit.list", () => owner().audit.list({ cursor: "%%%" })],
  ])("%s checks ids with the REST patterns (BAD_REQUEST)", async (_name, call) => {
    expect((await trpcError(call)).code).toBe("BAD_REQUEST");
  });
});

describe("tRPC and server actions: a real failed query", () => {
  it("answers a generic message with the request id; the log has the class and stack frames, never the parameters", async () => {
    capturedLogs.length = 0;
    const error = await trpcError(() => testCaller().broken());
    expect(error.code).toBe("INTERNAL_SERVER_ERROR");
    expect(error.message).toContain(requestId);
    expect(error.message).not.toMatch(QUERY_LEAKS);
    // A server action shows the same sentence in its form.
    expect(formStateFrom(error)).toEqual({ error: error.message });
    const fault = capturedLogs.find((line) => line.msg === "unhandled error")!;
    expect(fault).toMatchObject({ requestId, error: expect.stringMatching(/^query failed: \w+ \[22P02\]/), stack: expect.stringMatching(/^\s+at /) });
    expect(JSON.stringify(capturedLogs)).not.toMatch(QUERY_LEAKS);
  });
});
