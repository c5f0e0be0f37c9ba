/**
 * The real `ladmin` process (bin/ladmin.mjs) on an embedded database in a
 * fresh data dir: what only a process shows (the Node it runs under, piped
 * stdin, exit status, the data dir lock). Every command's behaviour is
 * tested in-process, in run.test.ts.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ID_PATTERNS } from "@/db/ids";
import { parseEnv } from "@/server/env";
import { resolveSecrets } from "@/server/secrets";
import { openProcessDatabase } from "@/server/services";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// Each run is a fresh process that opens the database (PGlite: ~2 s); on a busy 2-core machine a test of several runs needs room.
const TIMEOUT = 240_000;
/** The machine's own Node, older than the project's where this runs on a Node-20 machine. */
const SYSTEM_NODE = ["/usr/bin/node", "/usr/local/bin/node"].find(existsSync);

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

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function ladmin(args: string[], opts: { env: NodeJS.ProcessEnv; stdin?: string; node?: string }): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(opts.node ?? process.execPath, ["bin/ladmin.mjs", ...args], { cwd: ROOT, env: opts.env });
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
async function ladminJson(args: string[], opts: { env: NodeJS.ProcessEnv; stdin?: string }) {
  const result = await ladmin([...args, "--json"], opts);
  expect(result, result.stderr).toMatchObject({ status: 0 });
  expect(result.stdout).toMatch(/^\{.*\}\n$/);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the ladmin process", () => {
  it("prints usage, and refuses bad arguments with exit 2 and one line on stderr", { timeout: TIMEOUT }, async () => {
    const env = embeddedEnv(tempDataDir());
    const [help, bad] = await Promise.all([ladmin(["--help"], { env, node: SYSTEM_NODE }), ladmin(["orgs", "create", "--colour", "red"], { env })]);
    expect(help, help.stderr).toMatchObject({ status: 0, stderr: "" });
    expect(help.stdout).toMatch(/^Usage: ladmin/);
    expect(bad).toEqual({ status: 2, stdout: "", stderr: "ladmin: unknown option --colour; run ladmin --help\n" });
  });

  it("creates on a fresh embedded data dir, with the password piped on stdin", { timeout: TIMEOUT }, async () => {
    const env = embeddedEnv(tempDataDir());
    // The first run migrates the data dir and generates its secrets.
    const org = await ladminJson(["orgs", "create", "--name", "Acme"], { env });
    expect(org).toEqual({ id: expect.stringMatching(ID_PATTERNS.org) });
    const user = await ladminJson(["users", "create", "--org", org.id as string, "--email", "owner@example.com", "--role", "owner"], {
      env,
      stdin: "correct horse battery staple\n",
    });
    expect(user).toEqual({ id: expect.stringMatching(ID_PATTERNS.usr) });
  });

  it("exits 1 while another process holds the embedded database", { timeout: TIMEOUT }, async () => {
    const env = embeddedEnv(tempDataDir());
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
