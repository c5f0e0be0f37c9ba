/**
 * Every query on `oauth_states`. The REST API, the callback, the hosted
 * pages and the console reach attempts only through here, so how a state is
 * claimed, finished and filtered is written once. Tenant reads take a
 * `ModeScope` (an organization in one mode: test and live never mix); the
 * callback and hosted pages find a state by its id alone, since the
 * unguessable state is all they hold.
 */
import { and, desc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { preparedQuery } from "@/db/prepared";
import { apiKeys, oauthStates, type Platform, projects } from "@/db/schema";
import type { AttemptStatus } from "@/server/contract/vocabulary";
import { type DomainContext, inTransaction } from "../domain/context";
import { inMode, isLive, type KeyScope, type ModeScope } from "../domain/scope";
import { attemptEnded } from "./ended";
import { statusCondition } from "./status";

export type AttemptRow = typeof oauthStates.$inferSelect;
export type NewAttempt = typeof oauthStates.$inferInsert;

/** The columns a new attempt sets; the rest take their defaults (status pending, no outcome yet). */
const NEW_ATTEMPT_COLUMNS = ["id", "orgId", "projectId", "apiKeyId", "platform", "livemode", "returnUrl", "scopes", "usageNote", "codeVerifierEnc", "createdAt", "expiresAt"] as const;
type NewAttemptRow = { [C in Exclude<(typeof NEW_ATTEMPT_COLUMNS)[number], "usageNote" | "codeVerifierEnc">]-?: Exclude<NewAttempt[C], undefined> } & Pick<NewAttempt, "usageNote" | "codeVerifierEnc">;

// Every oauth-url call inserts one: the INSERT is built once, not per request.
const insertNewAttempt = preparedQuery("insert_attempt", (db) =>
  db
    .insert(oauthStates)
    .values(Object.fromEntries(NEW_ATTEMPT_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as NewAttempt)
    .prepare("insert_attempt"),
);

export async function insertAttempt(ctx: DomainContext, row: NewAttemptRow): Promise<void> {
  await insertNewAttempt(ctx.db).execute({ ...row, usageNote: row.usageNote ?? null, codeVerifierEnc: row.codeVerifierEnc ?? null });
}

// The status poll is the hottest read in the API: prepared once per connection.
const attemptForKey = preparedQuery("attempt_for_key", (db) =>
  db
    .select()
    .from(oauthStates)
    .where(
      and(
        eq(oauthStates.id, sql.placeholder("id")),
        eq(oauthStates.apiKeyId, sql.placeholder("apiKeyId")),
        eq(oauthStates.livemode, sql.placeholder("livemode")),
      ),
    )
    .limit(1)
    .prepare("attempt_for_key"),
);

/**
 * An attempt as the key that created it sees it; other keys see nothing. A
 * key has one mode, so the mode condition only restates the key's: it keeps
 * the rule visible in the query rather than implied by how keys are made.
 */
export async function findAttemptOfKey(ctx: DomainContext, scope: KeyScope, id: string): Promise<AttemptRow | undefined> {
  const [row] = await attemptForKey(ctx.db).execute({ id, apiKeyId: scope.actor.id, livemode: isLive(scope) });
  return row;
}

/** By state alone: the callback and the hosted pages hold nothing but the state. */
export async function findAttempt(ctx: DomainContext, id: string): Promise<AttemptRow | undefined> {
  const [row] = await ctx.db.select().from(oauthStates).where(eq(oauthStates.id, id)).limit(1);
  return row;
}

export async function findAttemptWithProject(ctx: DomainContext, id: string): Promise<{ attempt: AttemptRow; projectName: string } | undefined> {
  const [row] = await ctx.db
    .select({ attempt: oauthStates, projectName: projects.name })
    .from(oauthStates)
    .innerJoin(projects, eq(projects.id, oauthStates.projectId))
    .where(eq(oauthStates.id, id))
    .limit(1);
  return row;
}

/** Only the callback holding this lease may finish the attempt (lease.ts). */
type Claim = Pick<AttemptRow, "id" | "leaseExpiresAt">;

const heldBy = (claim: Claim) =>
  and(eq(oauthStates.id, claim.id), eq(oauthStates.status, "processing"), eq(oauthStates.leaseExpiresAt, claim.leaseExpiresAt!));

/** False when the claim was lost (its lease ran out and it was ended or taken over): that outcome stands. */
export async function completeAttempt(
  ctx: DomainContext,
  claim: Claim,
  outcome: { socialAccountId: string; grantedScopes: string[]; missingScopes: string[] },
  now: Date,
): Promise<boolean> {
  return endClaim(ctx, claim, { status: "completed", ...outcome, completedAt: now });
}

/** Fails a claimed state; false when the claim was lost, in which case the other outcome stands. */
export async function failAttempt(
  ctx: DomainContext,
  claim: Claim,
  outcome: { errorCode: string; errorMessage: string; grantedScopes?: string[]; missingScopes?: string[] },
  now: Date,
): Promise<boolean> {
  return endClaim(ctx, claim, { status: "failed", ...outcome, completedAt: now });
}

/** The end and its consequences (ended.ts) in one transaction: a savepoint when the caller already holds one. */
function endClaim(ctx: DomainContext, claim: Claim, outcome: Partial<NewAttempt>): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const [ended] = await tx.db.update(oauthStates).set(outcome).where(heldBy(claim)).returning();
    if (ended) await attemptEnded(tx, ended);
    return ended !== undefined;
  });
}

const withNames = { attempt: oauthStates, projectName: projects.name, keyName: apiKeys.name };

export type NamedAttemptRow = { attempt: AttemptRow; projectName: string; keyName: string };

export interface AttemptQuery {
  status?: AttemptStatus;
  platform?: Platform;
  projectId?: string;
  /** The sort key of the last row of the previous page. */
  after?: { createdAt: Date; id: string };
  limit: number;
}

/** The organization's attempts of the scope's mode, newest first, with their project's and key's names. */
export async function listOrgAttempts(ctx: DomainContext, scope: ModeScope, q: AttemptQuery, now: Date): Promise<NamedAttemptRow[]> {
  const conditions: (SQL | undefined)[] = [eq(oauthStates.orgId, scope.orgId), inMode(scope, oauthStates.livemode)];
  if (q.platform) conditions.push(eq(oauthStates.platform, q.platform));
  if (q.projectId) conditions.push(eq(oauthStates.projectId, q.projectId));
  if (q.status) conditions.push(statusCondition(q.status, now));
  if (q.after) {
    const { createdAt, id } = q.after;
    conditions.push(or(lt(oauthStates.createdAt, createdAt), and(eq(oauthStates.createdAt, createdAt), lt(oauthStates.id, id))));
  }
  return ctx.db
    .select(withNames)
    .from(oauthStates)
    .innerJoin(projects, eq(projects.id, oauthStates.projectId))
    .innerJoin(apiKeys, eq(apiKeys.id, oauthStates.apiKeyId))
    .where(and(...conditions))
    .orderBy(desc(oauthStates.createdAt), desc(oauthStates.id))
    .limit(q.limit);
}

export async function findOrgAttempt(ctx: DomainContext, scope: ModeScope, id: string): Promise<NamedAttemptRow | undefined> {
  const [row] = await ctx.db
    .select(withNames)
    .from(oauthStates)
    .innerJoin(projects, eq(projects.id, oauthStates.projectId))
    .innerJoin(apiKeys, eq(apiKeys.id, oauthStates.apiKeyId))
    .where(and(eq(oauthStates.id, id), eq(oauthStates.orgId, scope.orgId), inMode(scope, oauthStates.livemode)))
    .limit(1);
  return row;
}

/** What the overview's chart counts: the organization's attempts of the scope's mode created since `since`. */
export async function attemptsCreatedSince(ctx: DomainContext, scope: ModeScope, since: Date) {
  return ctx.db
    .select({ status: oauthStates.status, expiresAt: oauthStates.expiresAt, leaseExpiresAt: oauthStates.leaseExpiresAt, createdAt: oauthStates.createdAt })
    .from(oauthStates)
    .where(and(eq(oauthStates.orgId, scope.orgId), inMode(scope, oauthStates.livemode), gte(oauthStates.createdAt, since)));
}
