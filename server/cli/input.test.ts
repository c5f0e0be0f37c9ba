/**
 * ladmin's share of bounded input and safe faults: a NUL in an argument is
 * a usage error (exit 2, one line), and a real failed query is one line with
 * the run's request id, its log line naming the error class and stack
 * frames but no parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { ResolvedConfig } from "@/server/secrets";
import { failingQuery, QUERY_LEAKS } from "@/test-support/failingQuery";
import { defineCommand } from "./command";
import { COMMANDS } from "./commands";
import { run } from "./main";
import { openTestDatabase } from "@/test-support/testDatabase";

let config: ResolvedConfig;
let database: Database;

beforeAll(async () => {
  ({ config, database } = await openTestDatabase(1));
});
afterAll(() => database?.close());

async function ladmin(args: string[], commands = COMMANDS) {
  let stdout = "";
  let stderr = "";
  const status = await run(args, { stdin: "", env: {}, config, database, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, commands);
  return { status, stdout, stderr };
}

describe("ladmin input", () => {
  it("a NUL in any argument is exit 2 with one line, before anything runs", async () => {
    for (const args of [["orgs", "create", "--name", "Acme\u0000"], ["projects", "list", "--org\u0000"]]) {
      const result = await ladmin(args);
      expect(result).toEqual({ status: 2, stdout: "", stderr: expect.stringMatching(/^ladmin: argument \d contains a NUL character\n$/) });
    }
  });

  it("a real failed query is one line with the request id; the log line has the class and stack frames, not the parameters", async () => {
    const broken = defineCommand({ words: ["broken"], synopsis: "", prepare: async () => (ctx) => failingQuery(ctx.db) });
    const result = await ladmin(["broken"], [...COMMANDS, broken]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const [logLine, line, ...rest] = result.stderr.split("\n");
    expect(rest).toEqual([""]);
    const logged = JSON.parse(logLine!) as { requestId: string; error: string; stack: string };
    expect(logged).toMatchObject({ level: "error", msg: "unhandled error", error: expect.stringMatching(/^query failed: \w+ \[22P02\]/), stack: expect.stringMatching(/^\s+at /) });
    expect(line).toMatch(new RegExp(`^ladmin: .*${logged.requestId}`));
    expect(result.stderr).not.toMatch(QUERY_LEAKS);
  });
});
