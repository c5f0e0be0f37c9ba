/**
 * `ladmin users set-role | disable | set-password` in-process against the
 * suite's database (PostgreSQL with DATABASE_URL, else PGlite).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices } from "@/test-support/harness";
import { isSessionValid } from "../auth/revocation";
import { authenticateUser } from "../auth/signIn";
import type { Services } from "../services";
import type { CliIo } from "./io";
import { run } from "./main";

let services: Services;
beforeAll(async () => {
  services = await startTestServices();
});
afterAll(() => services.close());

async function ladmin(args: string[], stdin = "") {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdin, env: {}, config: services.config, database: services.database, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const status = await run(args, io);
  return { status, stdout, stderr };
}

async function json(args: string[], stdin = "") {
  const result = await ladmin([...args, "--json"], stdin);
  expect(result, result.stderr).toMatchObject({ status: 0, stderr: "" });
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const email = () => `cli-${randomBytes(4).toString("hex")}@example.com`;
const password = "correct horse battery";
const address = () => `2001:db8:c11::${randomBytes(2).toString("hex")}`;

describe("ladmin users", () => {
  let orgId: string;
  let owner: string;
  let member: { id: string; email: string };

  beforeAll(async () => {
    orgId = (await json(["orgs", "create", "--name", "CLI users"])).id as string;
    owner = (await json(["users", "create", "--org", orgId, "--email", email(), "--role", "owner"], password)).id as string;
    const memberEmail = email();
    member = { id: (await json(["users", "create", "--org", orgId, "--email", memberEmail, "--role", "member"], password)).id as string, email: memberEmail };
  });

  it("set-role prints the user's id; the last owner cannot be demoted", async () => {
    expect(await json(["users", "set-role", member.id, "admin"])).toEqual({ id: member.id });
    const human = await ladmin(["users", "set-role", member.id, "owner"]);
    expect(human).toMatchObject({ status: 0, stdout: `${member.id} is now an owner.\n` });
    expect(await json(["users", "set-role", owner, "member"])).toEqual({ id: owner });
    const refused = await ladmin(["users", "set-role", member.id, "admin"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^ladmin: .*needs an owner/);
    expect(await json(["users", "set-role", owner, "owner"])).toEqual({ id: owner });
  });

  it("set-password takes the password on stdin and ends the sessions", async () => {
    const signedInAt = Date.now() - 1000;
    expect(await json(["users", "set-password", member.id], "a different long password\n")).toEqual({ id: member.id });
    expect(await isSessionValid(services.database.db, member.id, signedInAt)).toBe(false);
    expect((await authenticateUser(services, { email: member.email, password: "a different long password", address: address() })).ok).toBe(true);
    const short = await ladmin(["users", "set-password", member.id], "short\n");
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
  });

  it("disable ends the sessions and sign-in", async () => {
    const signedInAt = Date.now() - 1000;
    expect(await json(["users", "disable", member.id])).toEqual({ id: member.id });
    expect(await isSessionValid(services.database.db, member.id, signedInAt)).toBe(false);
    expect(await authenticateUser(services, { email: member.email, password: "a different long password", address: address() })).toEqual({ ok: false, reason: "disabled" });
  });

  it("bad arguments exit 2 before the database is asked; so does an unknown user, after", async () => {
    for (const [args, message] of [
      [["users", "set-role", "nobody", "admin"], /USER must be a user id/],
      [["users", "set-role", member.id, "root"], /ROLE must be one of owner, admin, member/],
      [["users", "disable"], /USER/],
      [["users", "set-password", "usr_\u0000"], /NUL character|USER must be a user id/],
    ] as const) {
      const result = await ladmin([...args]);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const unknown = await ladmin(["users", "disable", "usr_01HXZ8K2M4P5QRS6TV7WXYZ9AB"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);
  });
});
