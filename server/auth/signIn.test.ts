import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditEvents, users } from "@/db/schema";
import type { Services } from "../services";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { createRedisRateLimiter } from "../ratelimit";
import { MemoryRateLimiter } from "../ratelimit/memory";
import { createUser } from "../users/service";
import { disableUser } from "../users/manage";
import { domainContext } from "../domain/context";
import { operatorScope, orgScope } from "../domain/scope";
import { argon2Gate, authenticateUser, SIGN_IN_BUDGETS } from "./signIn";

let services: Services;
let tenant: Tenant;
const password = "correct horse battery";
const wrong = "guess-guess-guess";

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services);
});
afterAll(() => services.close());

// Client addresses unique to this run: with REDIS_URL the throttle counters outlive the test process.
const RUN = Math.random().toString(16).slice(2, 8);
let hosts = 0;
const newAddress = () => `2001:db8:${RUN}::${(++hosts).toString(16)}`;
const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;

async function addUser(role: "owner" | "admin" | "member" = "member") {
  const email = unique(role);
  const { id } = await createUser(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { email, password, role });
  return { id, email };
}

const attempt = (email: string, pass: string, address: string, on: Services = services) => authenticateUser(on, { email, password: pass, address });
const reason = (result: Awaited<ReturnType<typeof authenticateUser>>) => (result.ok ? "ok" : result.reason);

describe("console sign-in", () => {
  it("accepts the right password, case-insensitively on the email, and records the sign-in", async () => {
    const { id, email } = await addUser("admin");
    expect(await attempt(email.toUpperCase(), password, newAddress())).toEqual({ ok: true, user: { id, email, name: null } });
    const events = await services.database.db.select().from(auditEvents).where(eq(auditEvents.actorId, id));
    expect(events.map((e) => e.action)).toContain("user.signed_in");
    const [row] = await services.database.db.select().from(users).where(eq(users.id, id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const { email } = await addUser();
    const from = newAddress();
    expect(await attempt(email, "wrong password!!", from)).toEqual({ ok: false, reason: "invalid" });
    expect(await attempt(unique("nobody"), password, from)).toEqual({ ok: false, reason: "invalid" });
    expect(await attempt("not an email", password, from)).toEqual({ ok: false, reason: "invalid" });
  });

  it("a disabled user is refused with the right password (and only then told why)", async () => {
    const { id, email } = await addUser();
    await disableUser(domainContext(services), operatorScope(), { userId: id });
    expect(await attempt(email, wrong, newAddress())).toEqual({ ok: false, reason: "invalid" });
    expect(await attempt(email, password, newAddress())).toEqual({ ok: false, reason: "disabled" });
  });
});

describe("sign-in throttle", () => {
  it(`${SIGN_IN_BUDGETS.accountAddress.text} per account and address: the attacker's address is stopped, the owner's other address is not`, async () => {
    const { email } = await addUser("owner");
    const attacker = newAddress();
    const reasons = [];
    for (let i = 0; i < 6; i++) reasons.push(reason(await attempt(email, wrong, attacker)));
    expect(reasons).toEqual(["invalid", "invalid", "invalid", "invalid", "invalid", "throttled"]);
    // From that address even the right password waits out the window...
    expect(reason(await attempt(email, password, attacker))).toBe("throttled");
    // ...while the owner, elsewhere, signs in.
    expect(reason(await attempt(email, password, newAddress()))).toBe("ok");
  });

  it("only failures are charged, and a success clears the account's failures from that address", async () => {
    const { email } = await addUser();
    const from = newAddress();
    for (let i = 0; i < 10; i++) expect(reason(await attempt(email, password, from))).toBe("ok");
    for (let i = 0; i < 4; i++) expect(reason(await attempt(email, wrong, from))).toBe("invalid");
    expect(reason(await attempt(email, password, from))).toBe("ok");
    // Five fresh failures are allowed again before the pause.
    const reasons = [];
    for (let i = 0; i < 6; i++) reasons.push(reason(await attempt(email, wrong, from)));
    expect(reasons).toEqual(["invalid", "invalid", "invalid", "invalid", "invalid", "throttled"]);
  });

  it(`${SIGN_IN_BUDGETS.address.text} per address, across accounts (spraying)`, async () => {
    const sprayer = newAddress();
    const results = [];
    for (let i = 0; i < 21; i++) results.push(reason(await attempt(unique(`spray${i}`), wrong, sprayer)));
    expect(results.slice(0, 20).every((r) => r === "invalid")).toBe(true);
    expect(results.at(-1)).toBe("throttled");
    // A refused attempt is not charged: the address's next window is not pushed back, and other addresses go on.
    expect(reason(await attempt(unique("elsewhere"), wrong, newAddress()))).toBe("invalid");
  });

  it(`${SIGN_IN_BUDGETS.account.text} per account over every address: the ceiling for a distributed guesser`, { timeout: 60_000 }, async () => {
    const { email } = await addUser();
    for (let i = 0; i < 50; i++) expect(reason(await attempt(email, wrong, newAddress()))).toBe("invalid");
    expect(reason(await attempt(email, wrong, newAddress()))).toBe("throttled");
    expect(reason(await attempt(email, password, newAddress()))).toBe("throttled");
  });

  it("fails closed: a store that cannot answer refuses sign-in, even with the right password", { timeout: 15_000 }, async () => {
    const { email } = await addUser();
    const down = await createRedisRateLimiter("redis://127.0.0.1:1", `test:${RUN}:down`);
    try {
      expect(reason(await attempt(email, password, newAddress(), { ...services, limiter: down }))).toBe("unavailable");
    } finally {
      await down.close();
    }
  });

  it(`caps concurrent verifications at ${argon2Gate.maxActive}, ${argon2Gate.maxWaiting} more waiting; beyond that "busy", and nothing is charged`, async () => {
    const { email } = await addUser();
    const limiter = new MemoryRateLimiter();
    const on = { ...services, limiter };
    const from = newAddress();
    let open!: () => void;
    const held = new Promise<void>((resolve) => (open = resolve));
    const occupying = Array.from({ length: argon2Gate.maxActive + argon2Gate.maxWaiting }, () => argon2Gate.run(() => held));
    try {
      expect(argon2Gate.load).toEqual({ active: argon2Gate.maxActive, waiting: argon2Gate.maxWaiting });
      for (let i = 0; i < 6; i++) expect(reason(await attempt(email, wrong, from, on))).toBe("busy");
    } finally {
      open();
      await Promise.all(occupying);
    }
    expect(argon2Gate.load).toEqual({ active: 0, waiting: 0 });
    expect(reason(await attempt(email, password, from, on))).toBe("ok");
  });
});
