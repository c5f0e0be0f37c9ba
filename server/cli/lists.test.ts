/**
 * `ladmin orgs | projects | keys | accounts | attempts list` in-process,
 * against the suite's database (PostgreSQL with DATABASE_URL, else PGlite),
 * which other files may share: each test looks for its own rows.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStateId } from "@/db/ids";
import { addKey, seedAccount, seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { insertAttempt } from "../attempts/store";
import { domainContext } from "../domain/context";
import type { Services } from "../services";
import { runLadmin } from "@/test-support/ladmin";

let services: Services;
let tenant: Tenant;
let liveKeyId: string;

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services, { mode: "test" });
  liveKeyId = (await addKey(services, tenant.orgId, { mode: "live" })).keyId;
});
afterAll(() => services.close());

const ladmin = (args: string[]) => runLadmin(services, args);

/** The rows of a list run with --json, which prints `{"data":[...]}` and nothing else. */
async function listed<Row = Record<string, unknown>>(args: string[]): Promise<Row[]> {
  const result = await ladmin([...args, "--json"]);
  expect(result, result.stderr).toMatchObject({ status: 0, stderr: "" });
  const printed = JSON.parse(result.stdout) as { data: Row[] };
  expect(Object.keys(printed)).toEqual(["data"]);
  return printed.data;
}

/** A well-formed id that names nothing (exit 1) and a malformed one (exit 2, before the database), for one list command. */
async function expectRefusals(words: string[], flag: string, unknown: string) {
  const missing = await ladmin([...words, flag, unknown]);
  expect(missing).toEqual({ status: 1, stdout: "", stderr: `ladmin: ${unknown.startsWith("org_") ? "Organization" : "Project"} ${unknown} was not found.\n` });
  const malformed = await ladmin([...words, flag, "acme"]);
  expect(malformed).toMatchObject({ status: 2, stdout: "", stderr: expect.stringMatching(new RegExp(`^ladmin: ${flag} must be an? [^\\n]*\\(got "acme"\\)\\n$`)) });
}

const UNKNOWN_ORG = "org_01JD0000000000000000000000";
const UNKNOWN_PROJECT = "prj_01JD0000000000000000000000";
const name = (what: string) => `${what} ${randomBytes(3).toString("hex")}`;
const emptyProject = async () => JSON.parse((await ladmin(["projects", "create", "--org", tenant.orgId, "--name", name("Empty"), "--json"])).stdout).id as string;

describe("ladmin list commands", () => {
  it("orgs list: every organization, oldest first", async () => {
    const first = JSON.parse((await ladmin(["orgs", "create", "--name", name("First"), "--json"])).stdout).id as string;
    const second = JSON.parse((await ladmin(["orgs", "create", "--name", name("Second"), "--json"])).stdout).id as string;
    const data = await listed<{ id: string; name: string; createdAt: string }>(["orgs", "list"]);
    const ours = data.filter((o) => [first, second, tenant.orgId].includes(o.id));
    expect(ours.map((o) => o.id)).toEqual([tenant.orgId, first, second]);
    expect(Object.keys(ours[0]!).sort()).toEqual(["createdAt", "id", "name"]);
    expect(data.map((o) => o.createdAt)).toEqual(data.map((o) => o.createdAt).sort());

    const human = await ladmin(["orgs", "list"]);
    expect(human).toMatchObject({ status: 0, stderr: "" });
    expect(human.stdout).toMatch(/^Organizations:\n/);
    expect(human.stdout).toContain(`\n  ${first}  ${ours[1]!.createdAt}  ${ours[1]!.name}\n`);
    expect((await ladmin(["orgs", "list", "--org", tenant.orgId])).status).toBe(2);
  });

  it("projects list: the organization's projects, or says it has none", async () => {
    const data = await listed<{ accountCount: number }>(["projects", "list", "--org", tenant.orgId]);
    expect(data).toEqual([{ id: tenant.projectId, name: "Test project", archivedAt: null, createdAt: expect.any(String), accountCount: data[0]!.accountCount }]);
    const human = await ladmin(["projects", "list", "--org", tenant.orgId]);
    const accounts = data[0]!.accountCount;
    expect(human.stdout).toBe(`Projects of ${tenant.orgId}:\n  ${tenant.projectId}  active  ${accounts === 1 ? "1 account" : `${accounts} accounts`}  Test project\n`);

    const bare = JSON.parse((await ladmin(["orgs", "create", "--name", name("Bare"), "--json"])).stdout).id as string;
    expect(await ladmin(["projects", "list", "--org", bare])).toEqual({ status: 0, stdout: `Organization ${bare} has no projects.\n`, stderr: "" });
    expect(await listed(["projects", "list", "--org", bare])).toEqual([]);
    await expectRefusals(["projects", "list"], "--org", UNKNOWN_ORG);
  });

  it("keys list: both modes and their status, never a secret or its hash", async () => {
    const created = await ladmin(["keys", "create", "--org", tenant.orgId, "--name", "Shown once", "--scopes", "social:read", "--mode", "live", "--json"]);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    expect((await ladmin(["keys", "revoke", id])).status).toBe(0);

    const data = await listed<{ id: string; mode: string; prefix: string; revokedAt: string | null }>(["keys", "list", "--org", tenant.orgId]);
    expect(data.map((k) => [k.id, k.mode]).sort()).toEqual([[id, "live"], [liveKeyId, "live"], [tenant.keyId, "test"]].sort());
    const row = data.find((k) => k.id === id)!;
    expect(Object.keys(row).filter((field) => /secret|hash|^key$/i.test(field))).toEqual([]);
    expect(key.startsWith(`${row.prefix}_`)).toBe(true);

    const human = await ladmin(["keys", "list", "--org", tenant.orgId]);
    expect(human.stdout).toMatch(new RegExp(`^API keys of ${tenant.orgId}:\\n`));
    expect(human.stdout).toContain(`  ${id}  live  revoked  ${row.prefix}  Shown once  (social:read)\n`);
    expect(human.stdout).toMatch(new RegExp(`  ${tenant.keyId}  test  active  lp_test_`));
    const secret = key.slice(row.prefix.length + 1);
    for (const printed of [human.stdout, JSON.stringify(data)]) expect(printed).not.toContain(secret);

    const bare = JSON.parse((await ladmin(["orgs", "create", "--name", name("Keyless"), "--json"])).stdout).id as string;
    expect((await ladmin(["keys", "list", "--org", bare])).stdout).toBe(`Organization ${bare} has no API keys.\n`);
    await expectRefusals(["keys", "list"], "--org", UNKNOWN_ORG);
  });

  it("accounts list: every account of the project in both modes, past the first page", async () => {
    const live = await seedAccount(services, tenant, { mode: "live", username: "live_one" });
    const test = await seedAccount(services, tenant, { mode: "test", username: "test_one" });
    const data = await listed<{ id: string; mode: string; livemode: boolean; username: string }>(["accounts", "list", "--project", tenant.projectId]);
    expect(data.map((a) => [a.id, a.mode, a.livemode])).toEqual([[live.id, "live", true], [test.id, "test", false]]);
    const human = await ladmin(["accounts", "list", "--project", tenant.projectId]);
    expect(human.stdout).toBe(`Social accounts of ${tenant.projectId}:\n  ${live.id}  live  active  tiktok  @live_one\n  ${test.id}  test  active  tiktok  @test_one\n`);

    // A page of the domain's list holds 50.
    const crowded = await emptyProject();
    for (let i = 0; i < 51; i++) await seedAccount(services, { orgId: tenant.orgId, projectId: crowded }, { username: `crowd_${i}` });
    expect((await listed(["accounts", "list", "--project", crowded])).length).toBe(51);

    const empty = await emptyProject();
    expect((await ladmin(["accounts", "list", "--project", empty])).stdout).toBe(`Project ${empty} has no social accounts.\n`);
    await expectRefusals(["accounts", "list"], "--project", UNKNOWN_PROJECT);
  });

  it("attempts list: both modes, newest first, the newest --limit of each", async () => {
    const start = Date.now() - 60_000;
    const attempt = async (keyId: string, livemode: boolean, second: number) => {
      const id = newStateId();
      const createdAt = new Date(start + second * 1000);
      const row = { id, orgId: tenant.orgId, projectId: tenant.projectId, apiKeyId: keyId, platform: "tiktok" as const, livemode, returnUrl: "https://app.example.com/connect/return" };
      await insertAttempt(domainContext(services), { ...row, scopes: ["user.info.basic"], createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) });
      return id;
    };
    const oldTest = await attempt(tenant.keyId, false, 1);
    const liveOne = await attempt(liveKeyId, true, 2);
    const newTest = await attempt(tenant.keyId, false, 3);

    const data = await listed<{ state: string; mode: string; status: string }>(["attempts", "list", "--project", tenant.projectId]);
    expect(data.map((a) => [a.state, a.mode])).toEqual([[newTest, "test"], [liveOne, "live"], [oldTest, "test"]]);
    expect((await listed<{ state: string }>(["attempts", "list", "--project", tenant.projectId, "--limit", "1"])).map((a) => a.state)).toEqual([newTest, liveOne]);

    const human = await ladmin(["attempts", "list", "--project", tenant.projectId, "--limit", "1"]);
    const line = (state: string, mode: string, keyId: string) => new RegExp(`\\n  ${state}  ${mode}  ${data.find((a) => a.state === state)!.status}  tiktok  \\S+Z  ${keyId} \\(key \\w+\\)`);
    expect(human.stdout).toMatch(new RegExp(`^OAuth attempts of ${tenant.projectId}, newest first:\\n`));
    expect(human.stdout).toMatch(line(newTest, "test", tenant.keyId));
    expect(human.stdout).toMatch(line(liveOne, "live", liveKeyId));
    expect(human.stdout.trimEnd().split("\n")).toHaveLength(3);

    const empty = await emptyProject();
    expect((await ladmin(["attempts", "list", "--project", empty])).stdout).toBe(`Project ${empty} has no OAuth attempts.\n`);
    await expectRefusals(["attempts", "list"], "--project", UNKNOWN_PROJECT);
    for (const limit of ["0", "101", "ten", "1.5", "007x"]) {
      const refused = await ladmin(["attempts", "list", "--project", tenant.projectId, "--limit", limit]);
      expect(refused, limit).toEqual({ status: 2, stdout: "", stderr: `ladmin: --limit must be a whole number from 1 to 100 (got "${limit}")\n` });
    }
  });

  it("are listed by --help after their noun's create", async () => {
    const help = (await ladmin(["--help"])).stdout;
    for (const line of ["orgs list", "projects list --org ORG", "keys list --org ORG", "accounts list --project PRJ", "attempts list --project PRJ [--limit N]"]) {
      expect(help).toContain(`\n  ${line}\n`);
    }
    expect(help.indexOf("  orgs list")).toBe(help.indexOf("  orgs create") + "  orgs create --name NAME\n".length);
    expect(help.indexOf("  keys list")).toBeGreaterThan(help.indexOf("  keys create"));
    expect(help.indexOf("  keys list")).toBeLessThan(help.indexOf("  keys allowlist add"));
  });
});
