import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../services";
import { seedTenant, startTestServices } from "@/test-support/harness";
import { createUser } from "../users/service";
import { domainContext } from "../domain/context";
import { orgScope } from "../domain/scope";
import { isSessionValid, revokeSessions } from "./revocation";

let services: Services;
beforeAll(async () => {
  services = await startTestServices();
});
afterAll(() => services.close());

describe("console session revocation", () => {
  it("refuses sessions issued before a sign-out, accepts ones issued after, and refuses unknown users", async () => {
    const { orgId } = await seedTenant(services);
    const { id } = await createUser(domainContext(services), orgScope(orgId, { type: "system" }), { email: `s-${Math.random()}@example.com`, password: "correct horse battery", role: "admin" });
    const { db } = services.database;
    const earlier = Date.now() - 60_000;
    expect(await isSessionValid(db, id, earlier)).toBe(true);

    const signedOutAt = new Date();
    await revokeSessions(db, id, signedOutAt);
    expect(await isSessionValid(db, id, earlier)).toBe(false);
    expect(await isSessionValid(db, id, signedOutAt.getTime())).toBe(false);
    expect(await isSessionValid(db, id, signedOutAt.getTime() + 1)).toBe(true);
    expect(await isSessionValid(db, "usr_01HXZ8K2M4P5QRS6TV7WXYZ9AB", earlier)).toBe(false);
  });
});
