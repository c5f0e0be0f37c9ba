/**
 * Sealed values where the product stores them: accounts' tokens and attempts'
 * verifiers are bound to their rows, a rotation followed by
 * `ladmin secrets reencrypt` lets the old key go, and v1 values from earlier
 * releases are resealed at server start. On a database of this file's own
 * (see freshDatabase): resealing acts on every row.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import { eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthStates, socialAccounts } from "@/db/schema";
import { createOAuthAttempt } from "@/server/attempts/create";
import { bootstrap } from "@/server/bootstrap";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import type { Services } from "@/server/services";
import { deriveServices, seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { freshDatabase } from "@/test-support/freshDatabase";
import { upsertSocialAccount } from "../accounts/service";
import { modeScope, orgScope } from "../domain/scope";
import { keyId } from "./keys";
import { SEALED } from "./sealed";
import { SealError } from "./secretbox";
import { runLadmin } from "@/test-support/ladmin";

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);
const b64 = (key: Buffer) => key.toString("base64");

let database: Awaited<ReturnType<typeof freshDatabase>>;
let base: Services;
/** The services under the keys of the moment: the rotation test moves them on. */
let services: Services;
let tenant: Tenant;

beforeAll(async () => {
  database = await freshDatabase();
  base = await startTestServices({ env: { DATABASE_URL: database.url, LAYERS_ENCRYPTION_KEY: b64(OLD_KEY) } });
  services = base;
  tenant = await seedTenant(services, { mode: "live" });
});
afterAll(async () => {
  await base?.close();
  await database.drop();
});

const accountRow = async (id: string) => (await services.database.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)))[0]!;
const stateRow = async (id: string) => (await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, id)))[0]!;

async function newAttempt(on: Services = services) {
  const result = await createOAuthAttempt(domainContext(on), keyScope({ id: tenant.keyId, orgId: tenant.orgId, mode: "test" }), {
    projectId: tenant.projectId,
    readBody: async () => ({ platform: "tiktok", returnUrl: "https://app.example.com/connect/return" }),
    idempotencyKey: null,
  });
  return result.state;
}

function connect(username: string, accessToken: string) {
  return upsertSocialAccount(domainContext(services), modeScope(orgScope(tenant.orgId, { type: "system" }), "test"), {
    projectId: tenant.projectId,
    platform: "tiktok",
    profile: { platformUserId: `uid_${username}`, username, displayName: null, avatarUrl: null },
    tokens: { accessToken, accessTokenExpiresAt: null, refreshToken: `rft.${accessToken}`, refreshTokenExpiresAt: null, grantedScopes: null, platformUserId: null },
    grantedScopes: ["user.info.basic"],
  });
}

describe("an account's tokens", () => {
  it("are sealed for the row they end up in, also when a reconnect keeps the existing row's id", async () => {
    const first = await connect("binder", "act.first");
    const again = await connect("binder", "act.second");
    expect(again).toMatchObject({ id: first.id, created: false });
    const row = await accountRow(first.id);
    expect(services.box.open(row.accessTokenEnc!, SEALED.accessToken.at(first.id))).toBe("act.second");
    expect(services.box.open(row.refreshTokenEnc!, SEALED.refreshToken.at(first.id))).toBe("rft.act.second");
  });

  it("are bound to the row that wins when two first connections race", async () => {
    const results = await Promise.all([connect("racer", "act.one"), connect("racer", "act.two")]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const row = await accountRow(results[0]!.id);
    expect(["act.one", "act.two"]).toContain(services.box.open(row.accessTokenEnc!, SEALED.accessToken.at(row.id)));
  });

  it("do not open once copied to another account, or to the other column", async () => {
    const victim = await seedAccount(services, tenant, { username: "victim" });
    const attacker = await seedAccount(services, tenant, { username: "attacker" });
    const stolen = (await accountRow(victim.id)).accessTokenEnc!;
    await services.database.db.update(socialAccounts).set({ accessTokenEnc: stolen, refreshTokenEnc: stolen }).where(eq(socialAccounts.id, attacker.id));
    const moved = await accountRow(attacker.id);
    expect(() => services.box.open(moved.accessTokenEnc!, SEALED.accessToken.at(attacker.id))).toThrow(SealError);
    expect(() => services.box.open(moved.refreshTokenEnc!, SEALED.refreshToken.at(attacker.id))).toThrow(SealError);
    expect(() => services.box.open(stolen, SEALED.refreshToken.at(victim.id))).toThrow(SealError);
    await services.database.db.delete(socialAccounts).where(eq(socialAccounts.id, attacker.id));
  });
});

describe("an attempt's PKCE verifier", () => {
  it("is bound to its state: another attempt's verifier does not open in its place", async () => {
    const [a, b] = [await newAttempt(), await newAttempt()];
    const sealedA = (await stateRow(a)).codeVerifierEnc!;
    expect(services.box.open(sealedA, SEALED.codeVerifier.at(a))).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(() => services.box.open(sealedA, SEALED.codeVerifier.at(b))).toThrow(SealError);
  });
});

/** Every sealed value in the database opens at its place under `on`'s keys. */
async function expectAllOpen(on: Services) {
  let count = 0;
  for (const sealed of Object.values(SEALED)) {
    const rows = (await on.database.db.select({ id: sealed.id, value: sealed.column }).from(sealed.table).where(isNotNull(sealed.column))) as Array<{
      id: string;
      value: string;
    }>;
    for (const row of rows) expect(() => on.box.open(row.value, sealed.at(row.id)), `${sealed.name} of ${row.id}`).not.toThrow();
    count += rows.length;
  }
  return count;
}

const reencrypt = (on: Services) => runLadmin(on, ["secrets", "reencrypt", "--json"]);

describe("rotating the encryption key", () => {
  it("old key → new key (old one previous) → ladmin secrets reencrypt → old key removed: everything still opens", async () => {
    await seedAccount(services, tenant, { username: "rotated" });
    await newAttempt();
    const sealedCount = await expectAllOpen(services);
    expect(sealedCount).toBeGreaterThanOrEqual(3);

    const rotated = deriveServices(services, { LAYERS_ENCRYPTION_KEY: b64(NEW_KEY), LAYERS_ENCRYPTION_KEYS_PREVIOUS: b64(OLD_KEY) });
    expect(await expectAllOpen(rotated)).toBe(sealedCount);
    const first = await reencrypt(rotated);
    expect(first, first.stderr).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(first.stdout)).toEqual({ resealed: sealedCount });

    const newOnly = deriveServices(services, { LAYERS_ENCRYPTION_KEY: b64(NEW_KEY) });
    expect(await expectAllOpen(newOnly)).toBe(sealedCount);
    const again = await reencrypt(newOnly);
    expect(JSON.parse(again.stdout)).toEqual({ resealed: 0 });
    // The old key alone opens none of it any more: nothing is left that needs it.
    const [sample] = await services.database.db.select().from(socialAccounts).where(isNotNull(socialAccounts.accessTokenEnc)).limit(1);
    expect(() => services.box.open(sample!.accessTokenEnc!, SEALED.accessToken.at(sample!.id))).toThrow(/unknown key/);
    services = newOnly;
  });

  it("exits 1 and keeps what it cannot open, so the operator keeps the previous key", async () => {
    const lost = await seedAccount(services, tenant, { username: "lost" });
    const stranger = deriveServices(services, { LAYERS_ENCRYPTION_KEY: b64(randomBytes(32)) });
    const foreign = stranger.box.seal("act.foreign", SEALED.accessToken.at(lost.id));
    await services.database.db.update(socialAccounts).set({ accessTokenEnc: foreign }).where(eq(socialAccounts.id, lost.id));
    const rotated = deriveServices(services, { LAYERS_ENCRYPTION_KEY: b64(randomBytes(32)), LAYERS_ENCRYPTION_KEYS_PREVIOUS: b64(NEW_KEY) });

    const result = await reencrypt(rotated);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^ladmin: 1 sealed value\(s\) did not open and were left as they are \(\d+ resealed\), so keep the previous keys for now: .*unknown key/);
    expect(result.stderr).not.toContain("act.");
    expect((await accountRow(lost.id)).accessTokenEnc).toBe(foreign);
    await services.database.db.delete(socialAccounts).where(eq(socialAccounts.id, lost.id));
    services = deriveServices(services, { LAYERS_ENCRYPTION_KEY: rotated.config.encryptionKey.toString("base64") });
  });
});

/** As earlier releases sealed: v1, the master key itself, bound to nothing. */
function sealV1(master: Buffer, plaintext: string): string {
  const id = keyId(master);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", master, iv);
  cipher.setAAD(Buffer.from(id));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

describe("values an earlier release sealed (v1)", () => {
  it("are not opened for use, and the server's start reseals them as v2 bound to their rows", async () => {
    const master = services.config.encryptionKey;
    const account = await seedAccount(services, tenant, { username: "legacy" });
    const state = await newAttempt();
    await services.database.db
      .update(socialAccounts)
      .set({ accessTokenEnc: sealV1(master, "act.legacy"), refreshTokenEnc: sealV1(master, "rft.legacy") })
      .where(eq(socialAccounts.id, account.id));
    await services.database.db.update(oauthStates).set({ codeVerifierEnc: sealV1(master, "verifier-legacy") }).where(eq(oauthStates.id, state));
    const before = (await accountRow(account.id)).accessTokenEnc!;
    expect(() => services.box.open(before, SEALED.accessToken.at(account.id))).toThrow(/v1 format/);

    await bootstrap(services, () => {});

    const row = await accountRow(account.id);
    expect(row.accessTokenEnc).toMatch(/^v2\./);
    expect(services.box.open(row.accessTokenEnc!, SEALED.accessToken.at(account.id))).toBe("act.legacy");
    expect(services.box.open(row.refreshTokenEnc!, SEALED.refreshToken.at(account.id))).toBe("rft.legacy");
    expect(services.box.open((await stateRow(state)).codeVerifierEnc!, SEALED.codeVerifier.at(state))).toBe("verifier-legacy");
    expect(() => services.box.open(row.accessTokenEnc!, SEALED.accessToken.at(tenant.projectId))).toThrow(SealError);
    expect(await expectAllOpen(services)).toBeGreaterThan(0);
  });
});
