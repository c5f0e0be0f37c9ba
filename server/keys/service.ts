import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/db/ids";
import { preparedQuery } from "@/db/prepared";
import { apiKeys, KEY_MODES, returnUrlAllowlist } from "@/db/schema";
import { ids } from "@/server/contract/ids";
import { nearMissEntry, normalizeAllowlistEntry } from "../allowlist/url";
import { recordAudit } from "../audit/record";
import { type DomainContext, inTransaction } from "../domain/context";
import { inScope, type KeyScope, type OrgScope, type Scope, scopeOfRow } from "../domain/scope";
import { AppError, validationError } from "../errors";
import { nameSchema, requireOrganization } from "../orgs/service";
import { budgetSchema } from "../ratelimit/budget";
import { parseInput } from "../validation";
import { API_SCOPES } from "./scopes";
import { displayPrefix, generateToken } from "./token";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const budgetsInput = z.object({ writeLimit: budgetSchema.nullable(), readLimit: budgetSchema.nullable() });

const allowlistEntrySchema = z.string().transform((value, ctx) => {
  const check = normalizeAllowlistEntry(value);
  if (!check.ok) {
    ctx.addIssue({ code: "custom", message: check.reason });
    return z.NEVER;
  }
  return check.url;
});

export const createKeyInput = z.object({
  name: nameSchema,
  scopes: z.array(z.enum(API_SCOPES, { message: `each scope must be one of ${API_SCOPES.join(", ")}` })).min(1, "name at least one scope"),
  mode: z.enum(KEY_MODES).default("live"),
  allow: z.array(allowlistEntrySchema).default([]),
  writeLimit: budgetSchema.optional(),
  readLimit: budgetSchema.optional(),
});

/** Creates a key; the returned `key` is the only time the token exists in clear. */
export async function createApiKey(ctx: DomainContext, scope: OrgScope, input: z.input<typeof createKeyInput>) {
  const parsed = parseInput(createKeyInput, input);
  await requireOrganization(ctx, scope);
  const { actor } = scope;
  const { token, publicId, secretHash } = generateToken(parsed.mode);
  const id = newId("key");
  const scopes = [...new Set(parsed.scopes)];
  const allowlist = [...new Set(parsed.allow)];
  await inTransaction(ctx, async (tx) => {
    await tx.db.insert(apiKeys).values({
      id,
      orgId: scope.orgId,
      name: parsed.name,
      mode: parsed.mode,
      publicId,
      secretHash,
      scopes,
      writeLimit: parsed.writeLimit?.text ?? null,
      readLimit: parsed.readLimit?.text ?? null,
      createdBy: actor.type === "user" ? actor.id : null,
    });
    if (allowlist.length) await tx.db.insert(returnUrlAllowlist).values(allowlist.map((url) => ({ apiKeyId: id, url })));
    await recordAudit(tx, scope, {
      action: "api_key.created",
      targetType: "api_key",
      targetId: id,
      data: { name: parsed.name, mode: parsed.mode, scopes, prefix: displayPrefix(parsed.mode, publicId), allowlist },
    });
  });
  return { id, key: token, prefix: displayPrefix(parsed.mode, publicId), mode: parsed.mode, scopes, allowlist };
}

/** A key the scope may see: its organization's, or any for the operator. */
async function requireKey(ctx: DomainContext, scope: Scope, keyId: string) {
  const id = parseInput(ids.key, keyId);
  const [key] = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), inScope(scope, apiKeys.orgId)))
    .limit(1);
  if (!key) throw new AppError("NOT_FOUND", `API key ${keyId} was not found.`);
  return key;
}

export async function revokeApiKey(ctx: DomainContext, scope: Scope, keyId: string) {
  const key = await requireKey(ctx, scope, keyId);
  if (key.revokedAt) return { id: key.id, revokedAt: key.revokedAt.toISOString() };
  const revokedAt = new Date();
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(apiKeys).set({ revokedAt }).where(eq(apiKeys.id, key.id));
    await recordAudit(tx, scopeOfRow(scope, key.orgId), { action: "api_key.revoked", targetType: "api_key", targetId: key.id });
  });
  return { id: key.id, revokedAt: revokedAt.toISOString() };
}

async function entriesOf(ctx: DomainContext, keyId: string) {
  const rows = await ctx.db
    .select({ url: returnUrlAllowlist.url })
    .from(returnUrlAllowlist)
    .where(eq(returnUrlAllowlist.apiKeyId, keyId))
    .orderBy(asc(returnUrlAllowlist.url));
  return rows.map((r) => r.url);
}

export async function listAllowlist(ctx: DomainContext, scope: Scope, keyId: string) {
  const key = await requireKey(ctx, scope, keyId);
  return { key, allowlist: await entriesOf(ctx, key.id) };
}

function normalizeEntryOrThrow(url: string) {
  const check = normalizeAllowlistEntry(url);
  // A reason may already end its sentence ("… or https://…"): no second full stop.
  if (!check.ok) throw validationError([{ path: "url", message: check.reason }], `Invalid allowlist entry: ${check.reason}${/[.…]$/.test(check.reason) ? "" : "."}`);
  return check.url;
}

/** What adding a URL the allowlist already holds says, in the console and in ladmin. */
export const alreadyOnAllowlist = (url: string) => `${url} is already on this key's allowlist.`;

/**
 * Adds a return URL in its normalised form. `added` is false when the
 * allowlist already held it (the same URL in other letter case, with the
 * default port...): nothing changes and nothing is audited, and `message`
 * says so rather than the add passing silently.
 */
export async function addAllowlistEntry(
  ctx: DomainContext,
  scope: Scope,
  input: { keyId: string; url: string },
): Promise<{ url: string; added: boolean; message: string | null; allowlist: string[] }> {
  const key = await requireKey(ctx, scope, input.keyId);
  const entry = normalizeEntryOrThrow(input.url);
  const added = await inTransaction(ctx, async (tx) => {
    const inserted = await tx.db
      .insert(returnUrlAllowlist)
      .values({ apiKeyId: key.id, url: entry })
      .onConflictDoNothing()
      .returning({ url: returnUrlAllowlist.url });
    if (inserted.length) {
      await recordAudit(tx, scopeOfRow(scope, key.orgId), { action: "allowlist.added", targetType: "api_key", targetId: key.id, data: { url: entry } });
    }
    return inserted.length > 0;
  });
  return { url: entry, added, message: added ? null : alreadyOnAllowlist(entry), allowlist: await entriesOf(ctx, key.id) };
}

export async function removeAllowlistEntry(ctx: DomainContext, scope: Scope, input: { keyId: string; url: string }) {
  const { key, allowlist } = await listAllowlist(ctx, scope, input.keyId);
  const check = normalizeAllowlistEntry(input.url);
  const entry = check.ok ? check.url : input.url;
  if (!allowlist.includes(entry)) {
    throw new AppError("NOT_FOUND", `${input.url} is not on the allowlist of ${key.id}.`);
  }
  await inTransaction(ctx, async (tx) => {
    await tx.db.delete(returnUrlAllowlist).where(and(eq(returnUrlAllowlist.apiKeyId, key.id), eq(returnUrlAllowlist.url, entry)));
    await recordAudit(tx, scopeOfRow(scope, key.orgId), { action: "allowlist.removed", targetType: "api_key", targetId: key.id, data: { url: entry } });
  });
  return allowlist.filter((u) => u !== entry);
}

const allowlistEntry = preparedQuery("allowlist_entry", (db) =>
  db
    .select({ url: returnUrlAllowlist.url })
    .from(returnUrlAllowlist)
    .where(and(eq(returnUrlAllowlist.apiKeyId, sql.placeholder("apiKeyId")), eq(returnUrlAllowlist.url, sql.placeholder("url"))))
    .limit(1)
    .prepare("allowlist_entry"),
);

/** Whether the scope's key may send the browser back to `matchKey` (see allowlist/url). */
export async function isReturnUrlAllowed(ctx: DomainContext, scope: KeyScope, matchKey: string): Promise<boolean> {
  const [row] = await allowlistEntry(ctx.db).execute({ apiKeyId: scope.actor.id, url: matchKey });
  return Boolean(row);
}

/**
 * The RETURN_URL_NOT_ALLOWED message: what to add and where (ladmin or the
 * console), and an entry the URL nearly matches (a trailing slash,
 * localhost against 127.0.0.1, http against https, letter case), which is
 * usually the mistake. Read only on the refusal, never on the hot path.
 */
export async function returnUrlRefusal(ctx: DomainContext, scope: KeyScope, url: string, matchKey: string | null): Promise<string> {
  const refused = `returnUrl ${matchKey ?? url} is not in this API key's return URL allowlist.`;
  // CONTRACT.md §3: every RETURN_URL_NOT_ALLOWED message ends with what to do.
  if (matchKey === null) return `${refused} A URL with a user name or password never matches an entry: send it without them. If it is still refused: Add it via ladmin, then retry.`;
  const near = nearMissEntry(matchKey, await entriesOf(ctx, scope.actor.id));
  const hint = near ? ` The allowlist has ${near.entry}, which differs ${near.differs}.` : "";
  return `${refused}${hint} Add it via ladmin, then retry. With ladmin: npx ladmin keys allowlist add ${scope.actor.id} ${matchKey}; in the console: Keys, then Return URLs on this key's row.`;
}

/** What the console shows of a key: never the secret or its hash. */
function summarizeKey(row: typeof apiKeys.$inferSelect, allowlistCount: number) {
  return {
    id: row.id,
    name: row.name,
    prefix: displayPrefix(row.mode, row.publicId),
    mode: row.mode,
    scopes: row.scopes,
    writeLimit: row.writeLimit,
    readLimit: row.readLimit,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    allowlistCount,
  };
}

export async function listApiKeys(ctx: DomainContext, scope: OrgScope) {
  const rows = await ctx.db
    .select({
      key: apiKeys,
      allowlistCount: sql<number>`(select count(*)::int from ${returnUrlAllowlist} where ${returnUrlAllowlist.apiKeyId} = ${apiKeys.id})`,
    })
    .from(apiKeys)
    .where(eq(apiKeys.orgId, scope.orgId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map((r) => summarizeKey(r.key, Number(r.allowlistCount)));
}

export async function getApiKey(ctx: DomainContext, scope: OrgScope, keyId: string) {
  const { key, allowlist } = await listAllowlist(ctx, scope, keyId);
  return { ...summarizeKey(key, allowlist.length), allowlist };
}

/** Sets a key's own budgets; null returns it to the instance default. */
export async function updateKeyBudgets(
  ctx: DomainContext,
  scope: OrgScope,
  input: { keyId: string; writeLimit: string | null; readLimit: string | null },
) {
  const key = await requireKey(ctx, scope, input.keyId);
  const parsed = parseInput(budgetsInput, input);
  const set = { writeLimit: parsed.writeLimit?.text ?? null, readLimit: parsed.readLimit?.text ?? null };
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(apiKeys).set(set).where(eq(apiKeys.id, key.id));
    await recordAudit(tx, scope, { action: "api_key.budgets_changed", targetType: "api_key", targetId: key.id, data: set });
  });
  return { id: key.id };
}
