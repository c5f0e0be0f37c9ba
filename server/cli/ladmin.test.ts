/**
 * Runs the real `ladmin` (bin/ladmin.mjs) as a child process: against the
 * PostgreSQL in DATABASE_URL when set, otherwise against an embedded database
 * in a fresh temporary data dir.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ID_PATTERNS } from "@/db/ids";
import { parseEnv } from "@/server/env";
import { resolveSecrets } from "@/server/secrets";
import { openProcessDatabase } from "@/server/services";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// Each run is a fresh process that opens the database (PGlite: ~2 s); on a busy 2-core machine a test of several runs needs room.
const TIMEOUT = 240_000;

const tempDirs: string[] = [];
function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), "ladmin-test-"));
  tempDirs.push(dir);
  return join(dir, "data");
}

/** The environment of an embedded-database run: no DATABASE_URL, its own data dir. */
function embeddedEnv(dataDir: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, LAYERS_ENCRYPTION_KEY: _key, AUTH_SECRET: _secret, ...env } = process.env;
  return { ...env, LAYERS_DATA_DIR: dataDir };
}

const suiteEnv: NodeJS.ProcessEnv = process.env.DATABASE_URL
  ? { ...process.env, LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"), AUTH_SECRET: randomBytes(32).toString("base64") }
  : embeddedEnv(tempDataDir());

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function ladmin(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["bin/ladmin.mjs", ...args], { cwd: ROOT, env: opts.env ?? suiteEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

/** Runs with --json and returns the one JSON object it printed. */
async function ladminJson(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = await ladmin([...args, "--json"], opts);
  expect(result, result.stderr).toMatchObject({ status: 0 });
  expect(result.stdout).toMatch(/^\{.*\}\n$/);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Bad arguments: exit 2, nothing on stdout, one `ladmin: ...` line on stderr. */
function expectUsageError(result: Result, message: RegExp) {
  expect(result.status, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^ladmin: [^\n]+\n$/);
  expect(result.stderr).toMatch(message);
}

const UNKNOWN_ORG = "org_01JD0000000000000000000000";
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("ladmin", () => {
  let orgId: string;

  beforeAll(async () => {
    // The first run on a fresh data dir also migrates it and generates its secrets.
    const org = await ladminJson(["orgs", "create", "--name", "Acme"]);
    expect(org).toEqual({ id: expect.stringMatching(ID_PATTERNS.org) });
    orgId = org.id as string;
  }, TIMEOUT);

  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("creates projects and users, and prints a human line without --json", { timeout: TIMEOUT }, async () => {
    expect(await ladminJson(["projects", "create", "--org", orgId, "--name", "Shop"])).toEqual({ id: expect.stringMatching(ID_PATTERNS.prj) });

    const email = `owner-${randomBytes(4).toString("hex")}@example.com`;
    const user = await ladminJson(["users", "create", "--org", orgId, "--email", email, "--role", "owner"], { stdin: "correct horse battery staple\n" });
    expect(user).toEqual({ id: expect.stringMatching(ID_PATTERNS.usr) });

    const human = await ladmin(["orgs", "create", "--name", "Beta"]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^Created organization org_\w{26} \(Beta\)\.\n$/);

    expectUsageError(await ladmin(["projects", "create", "--org", UNKNOWN_ORG, "--name", "Shop"]), new RegExp(`${UNKNOWN_ORG} was not found`));
    expectUsageError(
      await ladmin(["users", "create", "--org", orgId, "--email", `x-${email}`, "--role", "owner"], { stdin: "short\n" }),
      /password must be at least 12 characters/,
    );
  });

  it("creates keys, edits their allowlist and revokes them", { timeout: TIMEOUT }, async () => {
    const live = await ladminJson(
      ["keys", "create", "--org", orgId, "--name", "Backend", "--scopes", "social:write,social:read", "--allow", "https://app.example.com/a", "--write-limit", "5/60s", "--read-limit", "100/60s"],
    );
    expect(live).toEqual({ id: expect.stringMatching(ID_PATTERNS.key), key: expect.stringMatching(/^lp_live_\w+_\w+$/) });

    const test = await ladmin(["keys", "create", "--org", orgId, "--name", "Sandbox", "--scopes", "social:read", "--mode", "test"]);
    expect(test.status, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^lp_test_\w+_\w+$/m);
    expect(test.stdout).toMatch(/shown only once/);
    const keyId = /key_\w{26}/.exec(test.stdout)![0];

    expect(await ladminJson(["keys", "allowlist", "add", keyId, "HTTPS://App.Example.com:443/return"])).toEqual({
      allowlist: ["https://app.example.com/return"],
    });
    expect(await ladminJson(["keys", "allowlist", "add", keyId, "http://localhost:3000/connect/return"])).toEqual({
      allowlist: ["http://localhost:3000/connect/return", "https://app.example.com/return"],
    });
    expectUsageError(await ladmin(["keys", "allowlist", "add", keyId, "http://example.com/x"]), /must use https/);
    expect(await ladminJson(["keys", "allowlist", "remove", keyId, "https://app.example.com:443/return"])).toEqual({
      allowlist: ["http://localhost:3000/connect/return"],
    });
    expect(await ladminJson(["keys", "allowlist", "list", keyId])).toEqual({ allowlist: ["http://localhost:3000/connect/return"] });
    expect(await ladminJson(["keys", "allowlist", "list", live.id as string])).toEqual({ allowlist: ["https://app.example.com/a"] });

    const revoked = await ladminJson(["keys", "revoke", keyId]);
    expect(revoked).toEqual({ id: keyId, revokedAt: expect.stringMatching(ISO_DATE) });
  });

  it("rejects bad arguments with exit 2 and one line on stderr", { timeout: TIMEOUT }, async () => {
    const keys = ["keys", "create", "--org", orgId, "--name", "k", "--scopes", "social:write"];
    // None of these reaches the database, so they may run side by side.
    const [unknownCommand, unknownFlag, missingOrg, badLimit, badScopes, badMode, badRole, badAllow] = await Promise.all([
      ladmin(["widgets", "create", "--json"]),
      ladmin(["orgs", "create", "--name", "x", "--colour", "red"]),
      ladmin(["projects", "create", "--name", "Shop", "--json"]),
      ladmin([...keys, "--write-limit", "5 per minute"]),
      ladmin(["keys", "create", "--org", orgId, "--name", "k", "--scopes", "social:write,email"]),
      ladmin([...keys, "--mode", "prod"]),
      ladmin(["users", "create", "--org", orgId, "--email", "a@example.com", "--role", "root"]),
      ladmin([...keys, "--allow", "http://example.com/x"]),
    ]);
    expectUsageError(unknownCommand!, /unknown command "widgets"/);
    expectUsageError(unknownFlag!, /--colour/);
    expectUsageError(missingOrg!, /needs --org/);
    expectUsageError(badLimit!, /--write-limit: expected N\/<window>/);
    expectUsageError(badScopes!, /--scopes must be a comma-separated list of social:write, social:read/);
    expectUsageError(badMode!, /--mode must be one of live, test/);
    expectUsageError(badRole!, /--role must be one of owner, admin, member/);
    expectUsageError(badAllow!, /--allow: "http:\/\/example\.com\/x" must use https/);
  });

  it("prints usage for --help and for no arguments", { timeout: TIMEOUT }, async () => {
    for (const args of [["--help"], []]) {
      const result = await ladmin(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: ladmin/);
      expect(result.stdout).toContain("keys allowlist add KEY URL");
    }
  });

  // Embedded only by nature, so it always uses its own data dir, with DATABASE_URL set or not.
  it("exits 1 while another process holds the embedded database", { timeout: TIMEOUT }, async () => {
    const dataDir = tempDataDir();
    const env = embeddedEnv(dataDir);
    const holder = await openProcessDatabase(resolveSecrets(parseEnv(env), () => {}));
    try {
      const busy = await ladmin(["orgs", "create", "--name", "Blocked", "--json"], { env });
      expect(busy.status).toBe(1);
      expect(busy.stdout).toBe("");
      expect(busy.stderr).toMatch(/^ladmin: The embedded database in .+ is in use by another process[^\n]*\n$/);
    } finally {
      await holder.close();
    }
    expect(await ladminJson(["orgs", "create", "--name", "Free"], { env })).toEqual({ id: expect.stringMatching(ID_PATTERNS.org) });
  });
});
