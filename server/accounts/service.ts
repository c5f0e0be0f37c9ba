import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/db/ids";
import { type Platform, projects, socialAccounts } from "@/db/schema";
import { accountListQuery } from "@/server/contract/api";
import { ids } from "@/server/contract/ids";
import { recordAudit } from "../audit/record";
import { SEALED } from "../crypto/sealed";
import { type DomainContext, inTransaction } from "../domain/context";
import { inMode, isLive, type ModeScope, type OperatorScope } from "../domain/scope";
import { dateOf } from "../clock";
import { AppError } from "../errors";
import { describeError, log } from "../log";
import { createPlatformAdapter } from "../oauth/platforms";
import { platformEndpoints } from "../oauth/platforms/config";
import type { Profile, TokenSet } from "../oauth/platforms/types";
import { decodeCursor, page } from "../pagination";
import { requireActiveProject } from "../projects/service";
import { parseInput } from "../validation";
import { recordEvent } from "../webhooks/events";
import { lifetimeColumns } from "./lifetime";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const projectIdInput = z.object({ projectId: ids.prj });
const accountIdInput = z.object({ id: ids.sa });

export type AccountRow = typeof socialAccounts.$inferSelect;

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
    reauthReason: row.reauthReason,
    accessTokenExpiresAt: row.accessTokenExpiresAt?.toISOString() ?? null,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    livemode: row.livemode,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type Account = ReturnType<typeof serializeAccount>;

/** Where an account's webhook events go: its project, in its mode. */
export const eventTarget = (row: Pick<AccountRow, "orgId" | "projectId" | "livemode">) => ({ orgId: row.orgId, projectId: row.projectId, livemode: row.livemode });

/**
 * Stores a connection: one account per project + platform + platform user
 * in the scope's mode, so a sandbox connection of the same platform user id
 * is another row and never touches a live account's tokens. Reconnecting
 * updates the same row (same id); a refresh token the platform did not send
 * again never replaces the stored one.
 */
export async function upsertSocialAccount(
  ctx: DomainContext,
  scope: ModeScope,
  input: { projectId: string; platform: Platform; profile: Profile; tokens: TokenSet; grantedScopes: string[] },
): Promise<{ id: string; created: boolean; row: AccountRow }> {
  const now = dateOf(ctx.clock);
  const profile = {
    username: input.profile.username,
    displayName: input.profile.displayName,
    avatarUrl: input.profile.avatarUrl,
    grantedScopes: input.grantedScopes,
    // A reconnect revives a needs_reauth account. Clearing the refresh lease makes a refresh still in
    // flight for the old grant store nothing: its write is bound to the lease it took.
    status: "active" as const,
    reauthReason: null,
    refreshLeaseId: null,
    refreshLeaseExpiresAt: null,
    ...lifetimeColumns(input.platform, input.tokens, now, ctx.config.refreshAheadMs),
    updatedAt: now,
  };
  // Tokens are sealed for the row they are stored in. A new row's id is known
  // before the insert; on a reconnect (or a concurrent first connect that won
  // the insert) the row keeps its own id, which only the upsert tells, so the
  // tokens are sealed again for that id in the same transaction. The upsert
  // locks the row until then, so no one reads tokens bound to another id.
  const tokensFor = (rowId: string) => ({
    accessTokenEnc: ctx.box.seal(input.tokens.accessToken, SEALED.accessToken.at(rowId)),
    ...(input.tokens.refreshToken && {
      refreshTokenEnc: ctx.box.seal(input.tokens.refreshToken, SEALED.refreshToken.at(rowId)),
      refreshTokenExpiresAt: input.tokens.refreshTokenExpiresAt,
    }),
  });
  const id = newId("sa");
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(socialAccounts)
      .values({
        id,
        orgId: scope.orgId,
        projectId: input.projectId,
        platform: input.platform,
        platformUserId: input.profile.platformUserId,
        livemode: isLive(scope),
        ...profile,
        ...tokensFor(id),
        createdAt: now,
      })
      .onConflictDoUpdate({
        target: [socialAccounts.projectId, socialAccounts.platform, socialAccounts.platformUserId, socialAccounts.livemode],
        set: profile,
      })
      .returning();
    const created = row!.id === id;
    if (!created) await tx.db.update(socialAccounts).set(tokensFor(row!.id)).where(eq(socialAccounts.id, row!.id));
    // The row as stored but for its sealed tokens (rewritten just above on a reconnect), which no caller reads.
    return { id: row!.id, created, row: row! };
  });
}

// The table's query schema, checked here: after the project's 404, as the contract orders them.
const listQuery = accountListQuery;

/** Account ids are ULIDs (time-ordered), so the last id on a page is the cursor. */
const accountCursor = z.tuple([ids.sa]);

/** A project's accounts of the scope's mode, oldest first, a page at a time. */
export async function listSocialAccounts(
  ctx: DomainContext,
  scope: ModeScope,
  input: { projectId: string; limit?: string | null; cursor?: string | null },
) {
  const { projectId } = parseInput(projectIdInput, input);
  await requireActiveProject(ctx, scope, projectId);
  const { limit, cursor } = parseInput(listQuery, { limit: input.limit ?? undefined, cursor: input.cursor ?? undefined });
  const after = cursor ? decodeCursor(cursor, accountCursor)[0] : undefined;
  const rows = await ctx.db
    .select()
    .from(socialAccounts)
    .where(and(eq(socialAccounts.projectId, projectId), inMode(scope, socialAccounts.livemode), after ? gt(socialAccounts.id, after) : undefined))
    .orderBy(asc(socialAccounts.id))
    .limit(limit + 1);
  const { items, nextCursor } = page(rows, limit, (r) => [r.id]);
  return { data: items.map(serializeAccount), nextCursor };
}

/**
 * An account of the scope's organization and mode; one of another mode is as absent as one of another
 * organization. The operator (ladmin) finds any account by its id.
 */
export async function requireAccount(ctx: DomainContext, scope: ModeScope | OperatorScope, accountId: string): Promise<AccountRow> {
  const { id } = parseInput(accountIdInput, { id: accountId });
  const tenant = scope.kind === "org" ? and(eq(socialAccounts.orgId, scope.orgId), inMode(scope, socialAccounts.livemode)) : undefined;
  const [row] = await ctx.db.select().from(socialAccounts).where(and(eq(socialAccounts.id, id), tenant)).limit(1);
  if (!row) {
    throw new AppError("NOT_FOUND", scope.kind === "org" ? `Social account ${id} was not found among this organization's ${scope.mode}-mode accounts.` : `Social account ${id} was not found.`);
  }
  return row;
}

export async function getSocialAccount(ctx: DomainContext, scope: ModeScope, accountId: string) {
  return serializeAccount(await requireAccount(ctx, scope, accountId));
}

/**
 * Disconnects an account: revokes the token at the platform where it can
 * (a failure there is logged, not fatal: the tokens are deleted anyway),
 * then deletes the tokens and marks the account disconnected.
 */
export async function disconnectSocialAccount(ctx: DomainContext, scope: ModeScope, accountId: string) {
  const account = await requireAccount(ctx, scope, accountId);
  let revoked = false;
  if (account.accessTokenEnc) {
    const endpoints = platformEndpoints(ctx.config, account.platform, account.livemode);
    if (endpoints.credentials) {
      try {
        revoked = await createPlatformAdapter(endpoints).revoke(ctx.box.open(account.accessTokenEnc, SEALED.accessToken.at(account.id)));
      } catch (error) {
        log.warn("platform revoke failed; deleting the tokens anyway", { accountId: account.id, platform: account.platform, error: describeError(error) });
      }
    }
  }
  await inTransaction(ctx, async (tx) => {
    const [disconnected] = await tx.db
      .update(socialAccounts)
      .set({
        status: "disconnected",
        reauthReason: null,
        accessTokenEnc: null,
        refreshTokenEnc: null,
        accessTokenExpiresAt: null,
        refreshTokenExpiresAt: null,
        refreshAfter: null,
        refreshLeaseId: null,
        refreshLeaseExpiresAt: null,
        updatedAt: dateOf(ctx.clock),
      })
      .where(eq(socialAccounts.id, account.id))
      .returning();
    await recordEvent(tx, eventTarget(disconnected!), "social_account.disconnected", serializeAccount(disconnected!));
    await recordAudit(tx, scope, {
      action: "account.disconnected",
      targetType: "social_account",
      targetId: account.id,
      data: { platform: account.platform, username: account.username, revokedAtPlatform: revoked },
    });
  });
}

const ORG_PAGE = 50;

/**
 * Every account of the organization in the scope's mode (or of one project, or in one status: the console
 * lists those that need the end-customer), oldest first, with its project's name.
 */
export async function listOrgAccounts(ctx: DomainContext, scope: ModeScope, input: { projectId?: string; status?: AccountRow["status"]; cursor?: string }) {
  const after = input.cursor ? decodeCursor(input.cursor, accountCursor)[0] : undefined;
  const rows = await ctx.db
    .select({ account: socialAccounts, projectName: projects.name })
    .from(socialAccounts)
    .innerJoin(projects, eq(projects.id, socialAccounts.projectId))
    .where(
      and(
        eq(socialAccounts.orgId, scope.orgId),
        inMode(scope, socialAccounts.livemode),
        input.projectId ? eq(socialAccounts.projectId, input.projectId) : undefined,
        input.status ? eq(socialAccounts.status, input.status) : undefined,
        after ? gt(socialAccounts.id, after) : undefined,
      ),
    )
    .orderBy(asc(socialAccounts.id))
    .limit(ORG_PAGE + 1);
  const { items, nextCursor } = page(rows, ORG_PAGE, (r) => [r.account.id]);
  return { items: items.map((r) => ({ ...serializeAccount(r.account), projectName: r.projectName })), nextCursor };
}
