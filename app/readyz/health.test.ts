import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as healthz } from "@/app/healthz/route";
import { GET as readyz } from "@/app/readyz/route";
import { startTestServices } from "@/test-support/harness";
import { RateLimitUnavailableError } from "@/server/ratelimit";
import { setServices, type Services } from "@/server/services";
import { latestMigrationMillis, readiness } from "@/server/health";

let services: Services;
beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => {
  setServices(undefined);
  await services.close();
});

const expectedRedis = process.env.REDIS_URL ? "ok" : "not_configured";

describe("GET /healthz", () => {
  it("answers 200 { status: ok } without a key", async () => {
    const res = healthz();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

describe("readiness", () => {
  it("is ready when the database is reachable and every journal migration is applied, reporting Redis", async () => {
    expect(await readiness(services)).toEqual({ status: "ready", database: "ok", redis: expectedRedis });
    const res = await readyz();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", database: "ok", redis: expectedRedis });
  });

  it("is not ready when the journal has a migration newer than drizzle.__drizzle_migrations records", async () => {
    const report = await readiness(services, latestMigrationMillis() + 1);
    expect(report).toEqual({ status: "not_ready", database: "migrations_pending", redis: expectedRedis });
  });

  it("is not ready when the database does not answer", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const database = { ...services.database, db: { execute: () => Promise.reject(refused) } } as unknown as Services["database"];
    expect(await readiness({ database, limiter: services.limiter })).toEqual({ status: "not_ready", database: "down", redis: expectedRedis });
  });

  it("reports a Redis that does not answer as down but stays ready", async () => {
    const limiter = {
      ...services.limiter,
      backend: "redis",
      charge: () => Promise.reject(new RateLimitUnavailableError(new Error("timeout"))),
    } as unknown as Services["limiter"];
    expect(await readiness({ database: services.database, limiter })).toEqual({ status: "ready", database: "ok", redis: "down" });
  });

  it("answers 503 from /readyz when the services cannot be built", async () => {
    setServices(undefined);
    const holder = globalThis as unknown as { __layersServices?: Promise<Services> };
    holder.__layersServices = Promise.reject(new Error("database refused"));
    holder.__layersServices.catch(() => {});
    const res = await readyz();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not_ready", database: "down", redis: "down" });
    setServices(services);
  });
});
