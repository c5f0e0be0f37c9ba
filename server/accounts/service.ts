import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { ID_PATTERNS, newId } from "@/db/ids";
import { type Platform, projects, socialAccounts } from "@/db/schema";
import { type Actor, recordAudit } from "../audit/record";
import type { SecretBox } from "../crypto/secretbox";
import { AppError, validationError } from "../errors";
import { describeError, log } from "../log";
import { createPlatformAdapter } from "../oauth/platforms";
import { platformEndpoints } from "../oauth/platforms/config";
import type { Profile, TokenSet } from "../oauth/platforms/types";
import { requireActiveProject } from "../projects/service";
import type { ResolvedConfig } from "../secrets";
import { decodeCursor, encodeCursor } from "../pagination";
import { parseInput } from "../validation";

type AccountRow = typeof socialAccounts.$inferSelect;

/** The public face of an account (CONTRACT.md §3): tokens never leave the server. */
export function serializeAccount(row: AccountRow) {
  return {
    id: row.id,
    projectId: row.projectId,
    platform: row.platform,
    platformUserId: row.platformUserId,
    username: row.username,
    displayName: row.displayName,
    avatarUrl: row.avatarUrl,
    grantedScopes: row.grantedScopes,
    status: row.status,
    livemode: row.livemode,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type Account = ReturnType<typeof serializeAccount>;

/**
 * Stores a connection: one account per project + platform + platform user.
 * Reconnecting updates the same row (same id); a refresh token the platform
 * did not send again never replaces the stored one.
 */
export async function upsertSocialAccount(
  db: Queryable,
  box: SecretBox,
  input: { orgId: string; projectId: string; platform: Platform; livemode: boolean; profile: Profile; tokens: TokenSet; grantedScopes: string[] },
): Promise<{ id: string; created: boolean }> {
  const now = new Date();
  const refreshTokenEnc = input.tokens.refreshToken ? box.seal(input.tokens.refreshToken) : null;
  const profile = {
    username: input.profile.username,
    displayName: input.profile.displayName,
    avatarUrl: input.profile.avatarUrl,
    grantedScopes: input.grantedScopes,
    status: "active" as const,
    accessTokenEnc: box.seal(input.tokens.accessToken),
    accessTokenExpiresAt: input.tokens.accessTokenExpiresAt,
    updatedAt: now,
  };
  const id = newId("sa");
  const [row] = await db
    .insert(socialAccounts)
    .values({
      id,
      orgId: input.orgId,
      projectId: input.projectId,
      platform: input.platform,
      platformUserId: input.profile.platformUserId,
      livemode: input.livemode,
      ...profile,
      refreshTokenEnc,
      refreshTokenExpiresAt: input.tokens.refreshTokenExpiresAt,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [socialAccounts.projectId, socialAccounts.platform, socialAccounts.platformUserId],
      set: {
        ...profile,
        ...(refreshTokenEnc && { refreshTokenEnc, refreshTokenExpiresAt: input.tokens.refreshTokenExpiresAt }),
      },
    })
    .returning({ id: socialAccounts.id });
  return { id: row!.id, created: row!.id === id };
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a nextCursor from an earlier page")
    .optional(),
});

/** Account ids are ULIDs (time-ordered), so the last id on a page is the cursor. */
function decodeAccountCursor(cursor: string): string {
  const [id] = decodeCursor(cursor, 1) as [string];
  if (!ID_PATTERNS.sa.test(id)) throw validationError([{ path: "cursor", message: "must be a nextCursor from an earlier page" }]);
  return id;
}

/** A project's accounts, oldest first, a page at a time. */
export async function listSocialAccounts(db: Db, orgId: string, projectId: string, query: { limit?: string | null; cursor?: string | null }) {
  const { projectId: id } = parseInput(z.object({ projectId: z.string().regex(ID_PATTERNS.prj, "must be a project id (prj_...)") }), { projectId });
  await requireActiveProject(db, orgId, id);
  const { limit, cursor } = parseInput(listQuery, { limit: query.limit ?? undefined, cursor: query.cursor ?? undefined });
  const after = cursor ? decodeAccountCursor(cursor) : undefined;
  const rows = await db
    .select()
    .from(socialAccounts)
    .where(and(eq(socialAccounts.projectId, id), after ? gt(socialAccounts.id, after) : undefined))
    .orderBy(asc(socialAccounts.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { data: page.map(serializeAccount), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.id]) : null };
}

async function requireAccount(db: Queryable, orgId: string, accountId: string): Promise<AccountRow> {
  const { id } = parseInput(z.object({ id: z.string().regex(ID_PATTERNS.sa, "must be a social account id (sa_...)") }), { id: accountId });
  const [row] = await db
    .select()
    .from(socialAccounts)
    .where(and(eq(socialAccounts.id, id), eq(socialAccounts.orgId, orgId)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", `Social account ${id} was not found in this key's organization.`);
  return row;
}

export async function getSocialAccount(db: Db, orgId: string, accountId: string) {
  return serializeAccount(await requireAccount(db, orgId, accountId));
}

/**
 * Disconnects an account: revokes the token at the platform where it can
 * (a failure there is logged, not fatal: the tokens are deleted anyway),
 * then deletes the tokens and marks the account disconnected.
 */
export async function disconnectSocialAccount(
  db: Db,
  services: { config: ResolvedConfig; box: SecretBox },
  orgId: string,
  accountId: string,
  actor: Actor,
) {
  const account = await requireAccount(db, orgId, accountId);
  let revoked = false;
  if (account.accessTokenEnc) {
    const endpoints = platformEndpoints(services.config, account.platform, account.livemode);
    if (endpoints.credentials) {
      try {
        revoked = await createPlatformAdapter(endpoints).revoke(services.box.open(account.accessTokenEnc));
      } catch (error) {
        log.warn("platform revoke failed; deleting the tokens anyway", { accountId: account.id, platform: account.platform, error: describeError(error) });
      }
    }
  }
  await db.transaction(async (tx) => {
    await tx
      .update(socialAccounts)
      .set({
        status: "disconnected",
        accessTokenEnc: null,
        refreshTokenEnc: null,
        accessTokenExpiresAt: null,
        refreshTokenExpiresAt: null,
        updatedAt: new Date(),
      })
      .where(eq(socialAccounts.id, account.id));
    await recordAudit(tx, {
      orgId,
      actor,
      action: "account.disconnected",
      targetType: "social_account",
      targetId: account.id,
      data: { platform: account.platform, username: account.username, revokedAtPlatform: revoked },
    });
  });
}

/** Every account of the organization (or of one project), oldest first, with its project's name. */
export async function listOrgAccounts(db: Queryable, orgId: string, input: { projectId?: string; cursor?: string }) {
  const after = input.cursor ? decodeAccountCursor(input.cursor) : undefined;
  const rows = await db
    .select({ account: socialAccounts, projectName: projects.name })
    .from(socialAccounts)
    .innerJoin(projects, eq(projects.id, socialAccounts.projectId))
    .where(
      and(
        eq(socialAccounts.orgId, orgId),
        input.projectId ? eq(socialAccounts.projectId, input.projectId) : undefined,
        after ? gt(socialAccounts.id, after) : undefined,
      ),
    )
    .orderBy(asc(socialAccounts.id))
    .limit(51);
  const page = rows.slice(0, 50);
  return {
    items: page.map((r) => ({ ...serializeAccount(r.account), projectName: r.projectName })),
    nextCursor: rows.length > 50 ? encodeCursor([page.at(-1)!.account.id]) : null,
  };
}
