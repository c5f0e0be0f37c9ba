import { and, count, eq, isNull } from "drizzle-orm";
import { apiKeys, projects, socialAccounts } from "@/db/schema";
import { listAttempts } from "../attempts/log";
import { attemptStatus } from "../attempts/status";
import { attemptsCreatedSince } from "../attempts/store";
import type { DomainContext } from "../domain/context";
import { inMode, type ModeScope } from "../domain/scope";

const DAY_MS = 86_400_000;

/**
 * The console's first screen: counts, recent attempts and the last 7 days'
 * outcomes, all of one mode. Keys count by mode too, so "Get started" asks
 * for a key of the mode on screen.
 */
export async function consoleOverview(ctx: DomainContext, scope: ModeScope, now = new Date()) {
  const { db } = ctx;
  const { orgId } = scope;
  const since = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - 6 * DAY_MS);
  const [[projectCount], [keyCount], [accountCount], recent, window] = await Promise.all([
    db.select({ n: count() }).from(projects).where(and(eq(projects.orgId, orgId), isNull(projects.archivedAt))),
    db.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.mode, scope.mode), isNull(apiKeys.revokedAt))),
    db
      .select({ n: count() })
      .from(socialAccounts)
      .where(and(eq(socialAccounts.orgId, orgId), inMode(scope, socialAccounts.livemode), eq(socialAccounts.status, "active"))),
    listAttempts(ctx, scope, { limit: 10 }),
    attemptsCreatedSince(ctx, scope, since),
  ]);
  const daily = Array.from({ length: 7 }, (_, i) => ({
    day: new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10),
    completed: 0,
    failed: 0,
    expired: 0,
    pending: 0,
  }));
  for (const attempt of window) {
    const index = Math.floor((attempt.createdAt.getTime() - since.getTime()) / DAY_MS);
    const bucket = daily[index];
    if (bucket) bucket[attemptStatus(attempt, now)]++;
  }
  return {
    counts: { projects: Number(projectCount?.n ?? 0), activeKeys: Number(keyCount?.n ?? 0), accounts: Number(accountCount?.n ?? 0), attempts7d: window.length },
    recentAttempts: recent.items,
    daily,
  };
}
