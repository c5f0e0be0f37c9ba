import { KEY_MODES } from "@/db/schema";
import { addAllowlistEntry, createApiKey, createKeyInput, keyIdSchema, listAllowlist, removeAllowlistEntry, revokeApiKey } from "../../keys/service";
import { API_SCOPES, type ApiScope, isApiScope } from "../../keys/scopes";
import { oneOf, UsageError } from "../args";
import { CLI_ACTOR, defineCommand, type Output } from "../command";
import { describeIssues } from "../failure";

function parseScopes(value: string): ApiScope[] {
  const given = value.split(",").map((s) => s.trim()).filter(Boolean);
  const scopes = given.filter(isApiScope);
  const bad = given.filter((s) => !isApiScope(s));
  if (!scopes.length || bad.length) {
    const got = bad.length ? ` (unknown: ${bad.join(", ")})` : "";
    throw new UsageError(`--scopes must be a comma-separated list of ${API_SCOPES.join(", ")}${got}`);
  }
  return scopes;
}

function checkKeyId(value: string): string {
  const result = keyIdSchema.safeParse(value);
  if (!result.success) throw new UsageError(`KEY ${result.error.issues[0]!.message} (got "${value}")`);
  return result.data;
}

function allowlistOutput(keyId: string, allowlist: string[]): Output {
  const lines = allowlist.length ? allowlist.map((url) => `  ${url}`).join("\n") : "  (empty)";
  return { json: { allowlist }, human: `Allowlist of ${keyId}:\n${lines}` };
}

export const keysCreate = defineCommand({
  words: ["keys", "create"],
  required: ["org", "name", "scopes"],
  optional: ["mode", "write-limit", "read-limit"],
  repeatable: ["allow"],
  synopsis: "--org ORG --name NAME --scopes SCOPES [--mode live|test]\n[--allow URL]... [--write-limit N/WINDOW] [--read-limit N/WINDOW]",
  async prepare({ flags }) {
    const input = {
      orgId: flags.org,
      name: flags.name,
      scopes: parseScopes(flags.scopes),
      mode: oneOf("--mode", flags.mode ?? "live", KEY_MODES),
      allow: flags.allow,
      writeLimit: flags["write-limit"],
      readLimit: flags["read-limit"],
    };
    // The domain's own schema, checked before the database is opened.
    const checked = createKeyInput.safeParse(input);
    if (!checked.success) throw new UsageError(describeIssues(checked.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }))));
    return async ({ db }) => {
      const key = await createApiKey(db, input, CLI_ACTOR);
      const allowlist = key.allowlist.length ? key.allowlist.join(", ") : "empty: add return URLs with `ladmin keys allowlist add`";
      return {
        json: { id: key.id, key: key.key },
        human:
          `Created ${key.mode} API key ${key.id} (scopes ${key.scopes.join(", ")}; allowlist ${allowlist}).\n` +
          `${key.key}\n` +
          "This key is shown only once: store it now.",
      };
    };
  },
});

export const keysAllowlistAdd = defineCommand({
  words: ["keys", "allowlist", "add"],
  operands: ["KEY", "URL"],
  synopsis: "KEY URL",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async ({ db }) => allowlistOutput(keyId, await addAllowlistEntry(db, keyId, operands.URL, CLI_ACTOR));
  },
});

export const keysAllowlistRemove = defineCommand({
  words: ["keys", "allowlist", "remove"],
  operands: ["KEY", "URL"],
  synopsis: "KEY URL",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async ({ db }) => allowlistOutput(keyId, await removeAllowlistEntry(db, keyId, operands.URL, CLI_ACTOR));
  },
});

export const keysAllowlistList = defineCommand({
  words: ["keys", "allowlist", "list"],
  operands: ["KEY"],
  synopsis: "KEY",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async ({ db }) => allowlistOutput(keyId, (await listAllowlist(db, keyId)).allowlist);
  },
});

export const keysRevoke = defineCommand({
  words: ["keys", "revoke"],
  operands: ["KEY"],
  synopsis: "KEY",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async ({ db }) => {
      const revoked = await revokeApiKey(db, keyId, CLI_ACTOR);
      return { json: { id: revoked.id, revokedAt: revoked.revokedAt }, human: `Revoked ${revoked.id} at ${revoked.revokedAt}.` };
    };
  },
});
