import { KEY_MODES } from "@/db/schema";
import { dateOf } from "../../clock";
import { addAllowlistEntry, createApiKey, createKeyInput, listAllowlist, listApiKeys, removeAllowlistEntry, revokeApiKey } from "../../keys/service";
import { API_SCOPES, type ApiScope, isApiScope } from "../../keys/scopes";
import { checkId, oneOf, UsageError } from "../args";
import { defineCommand, OPERATOR, type Output, orgFlag, orgListCommand } from "../command";
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

const checkKeyId = (value: string) => checkId("KEY", "key", value);

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
    const scope = orgFlag(flags.org);
    const input = {
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
    return async (ctx) => {
      const key = await createApiKey(ctx, scope, input);
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

// The summary the console shows: the prefix names a key, the secret and its hash are never read back.
export const keysList = orgListCommand({
  noun: "keys",
  title: "API keys",
  plural: "API keys",
  list: listApiKeys,
  line: (k, ctx) => {
    const status = k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt <= dateOf(ctx.clock).toISOString() ? "expired" : "active";
    return `${k.id}  ${k.mode}  ${status}  ${k.prefix}  ${k.name}  (${k.scopes.join(", ")})`;
  },
});

export const keysAllowlistAdd = defineCommand({
  words: ["keys", "allowlist", "add"],
  operands: ["KEY", "URL"],
  synopsis: "KEY URL",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async (ctx) => {
      const { allowlist, message } = await addAllowlistEntry(ctx, OPERATOR, { keyId, url: operands.URL });
      const output = allowlistOutput(keyId, allowlist);
      // Already there: said first, the console's sentence; the JSON stays the allowlist.
      return message ? { ...output, human: `${message}\n${output.human}` } : output;
    };
  },
});

export const keysAllowlistRemove = defineCommand({
  words: ["keys", "allowlist", "remove"],
  operands: ["KEY", "URL"],
  synopsis: "KEY URL",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async (ctx) => allowlistOutput(keyId, await removeAllowlistEntry(ctx, OPERATOR, { keyId, url: operands.URL }));
  },
});

export const keysAllowlistList = defineCommand({
  words: ["keys", "allowlist", "list"],
  operands: ["KEY"],
  synopsis: "KEY",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async (ctx) => allowlistOutput(keyId, (await listAllowlist(ctx, OPERATOR, keyId)).allowlist);
  },
});

export const keysRevoke = defineCommand({
  words: ["keys", "revoke"],
  operands: ["KEY"],
  synopsis: "KEY",
  async prepare({ operands }) {
    const keyId = checkKeyId(operands.KEY);
    return async (ctx) => {
      const revoked = await revokeApiKey(ctx, OPERATOR, keyId);
      return { json: { id: revoked.id, revokedAt: revoked.revokedAt }, human: `Revoked ${revoked.id} at ${revoked.revokedAt}.` };
    };
  },
});
