/**
 * `run` in-process, against the suite's database: the PostgreSQL in
 * DATABASE_URL when set, else an in-memory PGlite. Spawned runs of the real
 * binary are in ladmin.test.ts.
 */
import { randomBytes } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { ID_PATTERNS } from "@/db/ids";
import type { ResolvedConfig } from "@/server/secrets";
import { optionsOf } from "./args";
import { defineCommand } from "./command";
import { COMMANDS } from "./commands";
import type { CliIo } from "./io";
import { run } from "./main";
import { openTestDatabase } from "@/test-support/testDatabase";

let config: ResolvedConfig;
let database: Database;

beforeAll(async () => {
  ({ config, database } = await openTestDatabase(2));
});

afterAll(() => database?.close());

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

async function ladmin(args: string[], io: Partial<CliIo> = {}, commands = COMMANDS): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const status = await run(
    args,
    {
      stdin: "",
      env: {},
      config,
      database,
      ...io,
      stdout: (text) => (stdout += text),
      stderr: (text) => {
        stderr += text;
        io.stderr?.(text);
      },
    },
    commands,
  );
  return { status, stdout, stderr };
}

/** Runs with --json and returns the one JSON object it printed. */
async function ladminJson(args: string[], io: Partial<CliIo> = {}, commands = COMMANDS) {
  const result = await ladmin([...args, "--json"], io, commands);
  expect(result, result.stderr).toMatchObject({ status: 0, stderr: "" });
  expect(result.stdout).toMatch(/^\{.*\}\n$/);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Bad arguments: exit 2, nothing on stdout, one `ladmin: ...` line on stderr. */
/** A well-formed id that names nothing: exit 1, one line that says so. */
function expectNotFound(result: Result, message: RegExp) {
  expect(result.status, result.stderr).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^ladmin: [^\n]+ was not found[^\n]*\n$/);
  expect(result.stderr).toMatch(message);
}

function expectUsageError(result: Result, message: RegExp) {
  expect(result.status, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^ladmin: [^\n]+\n$/);
  expect(result.stderr).toMatch(message);
}

/** A terminal on which each of `typed` is entered once its prompt is shown. */
function terminal(...typed: string[]) {
  const stream = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stream });
  let next = 0;
  const stderr = (text: string) => {
    if (text.endsWith(": ")) setImmediate(() => stream.write(typed[next++] ?? ""));
  };
  return { stdin: stream, stderr };
}

/** A database whose every query fails the way drizzle reports it: the statement and its parameters in the message. */
function failingDatabase(cause: Error): Database {
  const failure = Object.assign(new Error('Failed query: insert into "organizations" values ($1, $2)\nparams: org_x,Top-Secret-Parameter'), { cause });
  // Any chain of query-builder calls, failing once awaited.
  const query: object = new Proxy(() => {}, {
    get: (_target, property) => (property === "then" ? (_resolve: unknown, reject: (error: Error) => void) => reject(failure) : query),
    apply: () => query,
  });
  return { db: query, migrate: async () => {}, close: async () => {} } as unknown as Database;
}

const UNKNOWN_ORG = "org_01JD0000000000000000000000";
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const email = () => `user-${randomBytes(4).toString("hex")}@example.com`;

describe("ladmin run()", () => {
  let orgId: string;

  beforeAll(async () => {
    const org = await ladminJson(["orgs", "create", "--name", "Acme"]);
    expect(org).toEqual({ id: expect.stringMatching(ID_PATTERNS.org) });
    orgId = org.id as string;
  });

  it("creates projects and users, and prints a human line without --json", async () => {
    expect(await ladminJson(["projects", "create", "--org", orgId, "--name", "Shop"])).toEqual({ id: expect.stringMatching(ID_PATTERNS.prj) });

    const owner = email();
    expect(await ladminJson(["users", "create", "--org", orgId, "--email", owner, "--role", "owner"], { stdin: "correct horse battery staple\n" })).toEqual({
      id: expect.stringMatching(ID_PATTERNS.usr),
    });
    // A piped stdin is read to its end.
    const piped = Readable.from([Buffer.from("correct horse "), Buffer.from("battery staple\n")]);
    expect(await ladminJson(["users", "create", "--org", orgId, "--email", email(), "--role", "member"], { stdin: piped })).toEqual({
      id: expect.stringMatching(ID_PATTERNS.usr),
    });

    const human = await ladmin(["orgs", "create", "--name", "Beta"]);
    expect(human).toMatchObject({ status: 0, stderr: "" });
    expect(human.stdout).toMatch(/^Created organization org_\w{26} \(Beta\)\.\n$/);

    expectNotFound(await ladmin(["projects", "create", "--org", UNKNOWN_ORG, "--name", "Shop"]), new RegExp(`${UNKNOWN_ORG} was not found`));
    expectUsageError(await ladmin(["users", "create", "--org", orgId, "--email", email(), "--role", "owner"], { stdin: "short\n" }), /password must be at least 12 characters/);
    expectUsageError(await ladmin(["users", "create", "--org", orgId, "--email", owner, "--role", "admin"], { stdin: "another long password\n" }), /already exists/);
  });

  it("prompts for the password twice on a terminal, without echo, and stops on Ctrl-C", async () => {
    const matching = terminal("a terminal password\r", "a terminal password\r");
    const created = await ladmin(["users", "create", "--org", orgId, "--email", email(), "--role", "admin", "--json"], matching);
    expect(created).toEqual({ status: 0, stdout: expect.stringMatching(/^\{"id":"usr_\w{26}"\}\n$/), stderr: "Password: \nRepeat password: \n" });

    const mismatched = await ladmin(["users", "create", "--org", orgId, "--email", email(), "--role", "admin"], terminal("one password here\r", "another one here\r"));
    expect(mismatched).toEqual({ status: 2, stdout: "", stderr: "Password: \nRepeat password: \nladmin: the passwords do not match\n" });

    const interrupted = await ladmin(["users", "create", "--org", orgId, "--email", email(), "--role", "admin"], terminal("\u0003"));
    expect(interrupted).toEqual({ status: 130, stdout: "", stderr: "Password: \n" });
  });

  it("creates keys, edits their allowlist and revokes them", async () => {
    const live = await ladminJson([
      ...["keys", "create", "--org", orgId, "--name", "Backend", "--scopes", "social:write,social:read"],
      ...["--allow", "https://app.example.com/a", "--allow", "https://app.example.com/b", "--write-limit", "5/60s", "--read-limit", "100/60s"],
    ]);
    expect(live).toEqual({ id: expect.stringMatching(ID_PATTERNS.key), key: expect.stringMatching(/^lp_live_\w+_\w+$/) });
    expect(await ladminJson(["keys", "allowlist", "list", live.id as string])).toEqual({ allowlist: ["https://app.example.com/a", "https://app.example.com/b"] });

    const test = await ladmin(["keys", "create", "--org", orgId, "--name", "Sandbox", "--scopes", "social:read", "--mode", "test"]);
    expect(test.status, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^lp_test_\w+_\w+$/m);
    expect(test.stdout).toMatch(/shown only once/);
    const keyId = /key_\w{26}/.exec(test.stdout)![0];

    expect(await ladminJson(["keys", "allowlist", "add", keyId, "HTTPS://App.Example.com:443/return"])).toEqual({ allowlist: ["https://app.example.com/return"] });
    expect(await ladminJson(["keys", "allowlist", "add", keyId, "http://localhost:3000/connect/return"])).toEqual({
      allowlist: ["http://localhost:3000/connect/return", "https://app.example.com/return"],
    });
    expectUsageError(await ladmin(["keys", "allowlist", "add", keyId, "http://example.com/x"]), /must use https/);
    expect(await ladminJson(["keys", "allowlist", "remove", keyId, "https://app.example.com:443/return"])).toEqual({ allowlist: ["http://localhost:3000/connect/return"] });
    const listed = await ladmin(["keys", "allowlist", "list", keyId]);
    expect(listed.stdout).toBe(`Allowlist of ${keyId}:\n  http://localhost:3000/connect/return\n`);

    expect(await ladminJson(["keys", "revoke", keyId])).toEqual({ id: keyId, revokedAt: expect.stringMatching(ISO_DATE) });
    expectNotFound(await ladmin(["keys", "revoke", "key_01JD0000000000000000000000"]), /key_01JD0000000000000000000000/);
  });

  it("rejects bad arguments with exit 2 and one line on stderr, before opening the database", async () => {
    const keys = ["keys", "create", "--org", UNKNOWN_ORG, "--name", "k", "--scopes", "social:write"];
    const cases: Array<[string[], RegExp]> = [
      [["widgets", "create", "--json"], /unknown command "widgets"; expected orgs, projects, keys, users, accounts, attempts, webhooks or secrets/],
      [["keys"], /keys needs a subcommand: create, list, allowlist, revoke/],
      [["keys", "allowlist", "drop", "key_x"], /expected keys allowlist add, keys allowlist remove or keys allowlist list/],
      [["orgs", "create", "--name", "x", "--colour", "red"], /^ladmin: unknown option --colour; run ladmin --help\n$/],
      [["keys", "create", "--org", UNKNOWN_ORG, "--name", "k", "--scope", "social:write"], /^ladmin: unknown option --scope \(did you mean --scopes\?\); run ladmin --help\n$/],
      [["orgs", "create", "--Name", "x"], /^ladmin: unknown option --Name \(did you mean --name\?\)/],
      [["orgs", "create", "--name"], /--name needs a value/],
      [["orgs", "create", "--name", "a", "--name", "b"], /--name is given more than once/],
      [["orgs", "create", "--name", "a", "--org", UNKNOWN_ORG], /--org is not an option of orgs create/],
      [["orgs", "create", "--name", "a", "extra"], /unexpected argument "extra" after orgs create/],
      [["projects", "create", "--name", "Shop", "--json"], /projects create needs --org: ladmin projects create --org ORG --name NAME/],
      [["keys", "allowlist", "add", "key_x"], /keys allowlist add needs URL/],
      [["keys", "revoke", "nope"], /KEY must be an API key id \(key_\.\.\.\) \(got "nope"\)/],
      [["projects", "create", "--org", "acme", "--name", "Shop"], /--org must be an organization id \(org_\.\.\.\) \(got "acme"\)/],
      [[...keys, "--write-limit", "5 per minute"], /--write-limit: expected N\/<window>/],
      [["keys", "create", "--org", UNKNOWN_ORG, "--name", "k", "--scopes", "social:write,email"], /--scopes must be a comma-separated list of social:write, social:read, webhooks:write, webhooks:read \(unknown: email\)/],
      [[...keys, "--mode", "prod"], /--mode must be one of live, test/],
      [["users", "create", "--org", UNKNOWN_ORG, "--email", "a@example.com", "--role", "root"], /--role must be one of owner, admin, member/],
      [[...keys, "--allow", "http://example.com/x"], /--allow: "http:\/\/example\.com\/x" must use https/],
    ];
    const unopenable = failingDatabase(new Error("the database was used"));
    for (const [args, message] of cases) expectUsageError(await ladmin(args, { database: unopenable }), message);
  });

  it("prints usage for --help and for no arguments", async () => {
    for (const args of [["--help"], ["-h"], [], ["keys", "create", "--help"]]) {
      const result = await ladmin(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: ladmin/);
      expect(result.stdout).toContain("  keys allowlist add KEY URL\n");
      expect(result.stdout).toContain("  keys create --org ORG --name NAME --scopes SCOPES [--mode live|test]\n              [--allow URL]...");
    }
  });

  it("turns faults into one line through toAppError, never printing a failed query's parameters", async () => {
    const fault = await ladmin(["orgs", "create", "--name", "Acme", "--json"], { database: failingDatabase(new Error("disk full")) });
    expect(fault.status).toBe(1);
    expect(fault.stdout).toBe("");
    const [logLine, line, ...rest] = fault.stderr.split("\n");
    expect(rest).toEqual([""]);
    expect(JSON.parse(logLine!)).toMatchObject({ level: "error", msg: "unhandled error", command: "orgs create", error: "query failed: Error: disk full" });
    const requestId = (JSON.parse(logLine!) as { requestId: string }).requestId;
    expect(requestId).toMatch(/^req_\w{26}$/);
    expect(line).toBe(`ladmin: Something went wrong on our side. Quote request id ${requestId} if you contact support.`);
    expect(fault.stderr).not.toContain("Top-Secret-Parameter");

    const down = await ladmin(["orgs", "create", "--name", "Acme"], { database: failingDatabase(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })) });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/^\{"level":"error".*"msg":"database unavailable".*ECONNREFUSED.*\}\nladmin: cannot reach the database in DATABASE_URL \(request id req_\w+; the log line above says why\)\n$/);
    expect(down.stderr).not.toContain("Top-Secret-Parameter");
  });

  it("exits 1 with one line on a configuration error", async () => {
    const env = { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", LAYERS_ENCRYPTION_KEY: "c2hvcnQ=" };
    const result = await ladmin(["orgs", "create", "--name", "Acme"], { config: undefined, database: undefined, env });
    expect(result).toEqual({ status: 1, stdout: "", stderr: expect.stringMatching(/^ladmin: configuration error: LAYERS_ENCRYPTION_KEY: must be base64 of exactly 32 bytes[^\n]*\n$/) });
  });

  it("runs a command defined in one place and added to the list", async () => {
    const echo = defineCommand({
      words: ["echo", "name"],
      operands: ["WHO"],
      optional: ["greeting"],
      synopsis: "WHO [--greeting TEXT]",
      async prepare({ operands, flags }) {
        return async ({ db }) => {
          expect(db).toBe(database.db);
          return { json: { said: `${flags.greeting ?? "hello"} ${operands.WHO}` }, human: "" };
        };
      },
    });
    expect(await ladminJson(["echo", "name", "you", "--greeting", "hi"], {}, [...COMMANDS, echo])).toEqual({ said: "hi you" });
    expect(() => optionsOf([...COMMANDS, defineCommand({ words: ["x"], repeatable: ["name"], synopsis: "", prepare: async () => async () => ({ json: {}, human: "" }) })])).toThrow(/--name is declared differently/);
  });
});
