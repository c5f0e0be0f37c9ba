import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../services";
import { seedTenant, startTestServices } from "@/test-support/harness";
import { createUser } from "../users/service";
import { domainContext } from "../domain/context";
import { orgScope } from "../domain/scope";
import { disableUser } from "../users/manage";
import { operatorScope } from "../domain/scope";
import { SESSION_MAX_AGE_S } from "./config";
import { checkSessionToken, isSessionValid, revokeSessions, signOutEverywhere } from "./revocation";
import { listAuditEvents } from "../audit/list";

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

  it("sign-out ends the user's sessions and is in their organization's audit log", async () => {
    const { orgId } = await seedTenant(services);
    const { id } = await createUser(domainContext(services), orgScope(orgId, { type: "system" }), { email: `o-${Math.random()}@example.com`, password: "correct horse battery", role: "admin" });
    const signedInAt = Date.now() - 1000;
    await signOutEverywhere(services.database.db, id);
    expect(await isSessionValid(services.database.db, id, signedInAt)).toBe(false);
    const log = await listAuditEvents(domainContext(services), orgScope(orgId, { type: "system" }), {});
    expect(log.items.filter((event) => event.action === "user.signed_out")).toMatchObject([{ actorId: id, targetType: "user", targetId: id }]);
  });

  it("refuses every session of a disabled user", async () => {
    const { orgId } = await seedTenant(services);
    const { id } = await createUser(domainContext(services), orgScope(orgId, { type: "system" }), { email: `d-${Math.random()}@example.com`, password: "correct horse battery", role: "admin" });
    const signedInAt = Date.now() - 1000;
    expect(await isSessionValid(services.database.db, id, signedInAt)).toBe(true);
    await disableUser(domainContext(services), operatorScope(), { userId: id });
    expect(await isSessionValid(services.database.db, id, signedInAt)).toBe(false);
    expect(await isSessionValid(services.database.db, id, Date.now() + 1000)).toBe(false);
  });

  it("a session lives 8 h from its sign-in, however often the token is re-signed in between", async () => {
    const { orgId } = await seedTenant(services);
    const { id } = await createUser(domainContext(services), orgScope(orgId, { type: "system" }), { email: `l-${Math.random()}@example.com`, password: "correct horse battery", role: "admin" });
    const { db } = services.database;
    const maxAgeMs = SESSION_MAX_AGE_S * 1000;
    expect(maxAgeMs).toBe(8 * 3600_000);
    const signedInAt = Date.now();
    let token: { sub?: string; signedInAt?: unknown } | null = { sub: id, signedInAt };
    // Used every hour for a working day: each use hands back the same sign-in time.
    for (let hour = 1; hour < 8; hour++) {
      token = await checkSessionToken(db, token!, maxAgeMs, signedInAt + hour * 3600_000);
      expect(token).toEqual({ sub: id, signedInAt });
    }
    expect(await checkSessionToken(db, token!, maxAgeMs, signedInAt + maxAgeMs - 1)).not.toBeNull();
    expect(await checkSessionToken(db, token!, maxAgeMs, signedInAt + maxAgeMs)).toBeNull();
    // A token without a sign-in time, or one from the future, is no session.
    expect(await checkSessionToken(db, { sub: id }, maxAgeMs)).toBeNull();
    expect(await checkSessionToken(db, { sub: id, signedInAt: Date.now() + 60_000 }, maxAgeMs)).toBeNull();
  });
});
