import { and, desc, eq, gt, lt, lte, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { ID_PATTERNS } from "@/db/ids";
import { apiKeys, oauthStates, PLATFORMS, projects } from "@/db/schema";
import { AppError } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination";
import { parseInput } from "../validation";
import { attemptStatus } from "./attempts";

/** The console's view of OAuth attempts: every attempt of the organization, newest first. */

export const attemptFilters = z.object({
  status: z.enum(["pending", "completed", "failed", "expired"]).optional(),
  platform: z.enum(PLATFORMS).optional(),
  projectId: z.string().regex(ID_PATTERNS.prj).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

const row = {
  attempt: oauthStates,
  projectName: projects.name,
  keyName: apiKeys.name,
};

function summarize(r: { attempt: typeof oauthStates.$inferSelect; projectName: string; keyName: string }, now: Date) {
  const a = r.attempt;
  return {
    state: a.id,
    status: attemptStatus(a, now),
    platform: a.platform,
    projectId: a.projectId,
    projectName: r.projectName,
    keyId: a.apiKeyId,
    keyName: r.keyName,
    usageNote: a.usageNote,
    livemode: a.livemode,
    createdAt: a.createdAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
    completedAt: a.completedAt?.toISOString() ?? null,
    errorCode: a.errorCode,
    socialAccountId: a.socialAccountId,
  };
}

export async function listAttempts(db: Queryable, orgId: string, input: z.input<typeof attemptFilters>) {
  const f = parseInput(attemptFilters, input);
  const now = new Date();
  const conditions: (SQL | undefined)[] = [eq(oauthStates.orgId, orgId)];
  if (f.platform) conditions.push(eq(oauthStates.platform, f.platform));
  if (f.projectId) conditions.push(eq(oauthStates.projectId, f.projectId));
  // "expired" is computed: a pending (or stuck processing) state past its expiry.
  if (f.status === "completed" || f.status === "failed") conditions.push(eq(oauthStates.status, f.status));
  if (f.status === "pending") conditions.push(and(or(eq(oauthStates.status, "pending"), eq(oauthStates.status, "processing")), gt(oauthStates.expiresAt, now)));
  if (f.status === "expired") conditions.push(and(or(eq(oauthStates.status, "pending"), eq(oauthStates.status, "processing")), lte(oauthStates.expiresAt, now)));
  if (f.cursor) {
    const [createdAt, id] = decodeCursor(f.cursor, 2) as [string, string];
    const at = new Date(createdAt);
    conditions.push(or(lt(oauthStates.createdAt, at), and(eq(oauthStates.createdAt, at), lt(oauthStates.id, id))));
  }
  const rows = await db
    .select(row)
    .from(oauthStates)
    .innerJoin(projects, eq(projects.id, oauthStates.projectId))
    .innerJoin(apiKeys, eq(apiKeys.id, oauthStates.apiKeyId))
    .where(and(...conditions))
    .orderBy(desc(oauthStates.createdAt), desc(oauthStates.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1)?.attempt;
  return {
    items: page.map((r) => summarize(r, now)),
    nextCursor: rows.length > f.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
  };
}

export async function getAttempt(db: Queryable, orgId: string, state: string) {
  const { id } = parseInput(z.object({ id: z.string().regex(ID_PATTERNS.st, "must be a state (st_...)") }), { id: state });
  const [r] = await db
    .select(row)
    .from(oauthStates)
    .innerJoin(projects, eq(projects.id, oauthStates.projectId))
    .innerJoin(apiKeys, eq(apiKeys.id, oauthStates.apiKeyId))
    .where(and(eq(oauthStates.id, id), eq(oauthStates.orgId, orgId)))
    .limit(1);
  if (!r) throw new AppError("NOT_FOUND", `Attempt ${id} was not found.`);
  return {
    ...summarize(r, new Date()),
    returnUrl: r.attempt.returnUrl,
    scopes: r.attempt.scopes,
    grantedScopes: r.attempt.grantedScopes,
    missingScopes: r.attempt.missingScopes,
    errorMessage: r.attempt.errorMessage,
  };
}
