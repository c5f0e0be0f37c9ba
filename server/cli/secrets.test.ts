/**
 * ladmin and the encryption key: with DATABASE_URL set and neither
 * LAYERS_ENCRYPTION_KEY nor AUTH_SECRET, the commands that seal nothing work,
 * and `secrets reencrypt`, which must, says in one line what it needs. The
 * configuration comes from `env` here, as in a real run. On a database of
 * this file's own (see freshDatabase): reencrypt acts on every row.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { ID_PATTERNS } from "@/db/ids";
import { freshDatabase } from "@/test-support/freshDatabase";
import { openFreshPglite } from "@/test-support/pgliteTemplate";
import type { CliIo } from "./io";
import { run } from "./main";

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
/** Without a PostgreSQL, an in-memory PGlite stands in for the one DATABASE_URL would name. */
let pglite: Database | undefined;
let databaseUrl: string;

beforeAll(async () => {
  fresh = await freshDatabase();
  databaseUrl = fresh.url ?? "postgres://unused.invalid:5432/pglite-stands-in";
  if (!fresh.url) {
    pglite = await openFreshPglite();
  }
});
afterAll(async () => {
  await pglite?.close();
  await fresh.drop();
});

async function ladmin(args: string[], env: Record<string, string> = {}, io: Partial<CliIo> = {}) {
  let stdout = "";
  let stderr = "";
  const status = await run(args, {
    stdin: "",
    env: { DATABASE_URL: databaseUrl, ...env },
    database: pglite,
    ...io,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { status, stdout, stderr, json: status === 0 && args.includes("--json") ? (JSON.parse(stdout) as Record<string, string>) : undefined };
}

describe("ladmin with DATABASE_URL and no secrets", () => {
  it("creates organizations, projects, keys and users, and edits allowlists", async () => {
    const org = await ladmin(["orgs", "create", "--name", "Keyless", "--json"]);
    expect(org, org.stderr).toMatchObject({ status: 0, stderr: "" });
    const orgId = org.json!.id!;
    expect(orgId).toMatch(ID_PATTERNS.org);
    const project = await ladmin(["projects", "create", "--org", orgId, "--name", "P", "--json"]);
    expect(project.json?.id).toMatch(ID_PATTERNS.prj);
    const key = await ladmin(["keys", "create", "--org", orgId, "--name", "k", "--scopes", "social:read", "--mode", "test", "--json"]);
    expect(key.json, key.stderr).toEqual({ id: expect.stringMatching(ID_PATTERNS.key), key: expect.stringMatching(/^lp_test_/) });
    const allow = await ladmin(["keys", "allowlist", "add", key.json!.id!, "https://app.example.com/back", "--json"]);
    expect(allow.json, allow.stderr).toEqual({ allowlist: ["https://app.example.com/back"] });
    const revoked = await ladmin(["keys", "revoke", key.json!.id!, "--json"]);
    expect(revoked.status, revoked.stderr).toBe(0);
    const user = await ladmin(["users", "create", "--org", orgId, "--email", `keyless-${randomBytes(3).toString("hex")}@example.com`, "--role", "owner", "--json"], {}, {
      stdin: "correct horse battery staple\n",
    });
    expect(user.json?.id, user.stderr).toMatch(ID_PATTERNS.usr);
  });

  it("secrets reencrypt says in one line that it needs LAYERS_ENCRYPTION_KEY", async () => {
    const result = await ladmin(["secrets", "reencrypt", "--json"]);
    expect(result).toMatchObject({ status: 1, stdout: "" });
    expect(result.stderr).toMatch(/^ladmin: configuration error: LAYERS_ENCRYPTION_KEY: is required for this command when DATABASE_URL is set[^\n]*\n$/);
  });

  it("secrets reencrypt needs the key, not AUTH_SECRET", async () => {
    const result = await ladmin(["secrets", "reencrypt", "--json"], { LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64") });
    expect(result, result.stderr).toMatchObject({ status: 0, stderr: "" });
    expect(result.json).toEqual({ resealed: 0 });
  });

  it("lists secrets reencrypt in the help", async () => {
    expect((await ladmin(["--help"])).stdout).toMatch(/^ {2}secrets reencrypt/m);
  });
});
