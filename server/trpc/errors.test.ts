import { trpcError } from "@/test-support/trpc";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { setLogSink } from "../log";
import type { Services } from "../services";
import { createCallerFactory, publicProcedure, router } from "./init";

/** Procedures' errors pass through the one translation, as REST's do. */
const failing = router({
  query: publicProcedure.query((): never => {
    throw Object.assign(new Error("Failed query: select * from api_keys where secret_hash = $1\nparams: 9f86d081884c7d659a2feaa0c55ad015"), {
      cause: new Error("boom"),
    });
  }),
  offline: publicProcedure.query((): never => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
  }),
  domain: publicProcedure.query((): never => {
    throw new AppError("NOT_FOUND", "Project prj_x was not found.");
  }),
});
const caller = createCallerFactory(failing)({ services: {} as Services, userId: null, requestId: "req_errors_test_1", source: "in-process" });

const logs: string[] = [];
const restore = setLogSink((line) => logs.push(line));
afterEach(() => {
  logs.length = 0;
});
process.on("exit", () => setLogSink(restore));


describe("tRPC error translation", () => {
  it("an unexpected fault answers a generic message with the request id, never the query or its parameters", async () => {
    const error = await trpcError(() => caller.query());
    expect(error.code).toBe("INTERNAL_SERVER_ERROR");
    expect(error.message).toContain("req_errors_test_1");
    expect(error.message).not.toMatch(/secret_hash|params|9f86d0/);
    const line = logs.join("\n");
    expect(line).toContain("req_errors_test_1");
    expect(line).not.toMatch(/secret_hash|9f86d0/);
  });

  it("an unreachable database is SERVICE_UNAVAILABLE, not an internal error", async () => {
    const error = await trpcError(() => caller.offline());
    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect((error.cause as AppError).code).toBe("UNAVAILABLE");
  });

  it("a domain error keeps its code and message", async () => {
    const error = await trpcError(() => caller.domain());
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("Project prj_x was not found.");
  });
});
