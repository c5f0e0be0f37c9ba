import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { apiKeys } from "@/db/schema";
import { KEY_MODES, type KeyMode } from "@/server/contract/vocabulary";
import type { DomainContext } from "../domain/context";
import type { OrgScope } from "../domain/scope";

/**
 * Which mode the console shows. Test and live data are never shown together
 * (CONTRACT.md §3); the admin switches between them as in a payment
 * dashboard, and the browser remembers the choice in a cookie
 * (app/console/consoleMode.ts). It is a view, not a permission: any member
 * may look at either mode, one at a time.
 */
const chosenMode = z.enum(KEY_MODES);

/**
 * The chosen mode, or, before any choice, live once the organization has a
 * live key (its real customers are what matters then) and test until it has
 * (a new organization's only data is its sandbox trials).
 */
export async function consoleMode(ctx: DomainContext, scope: OrgScope, cookieValue: string | undefined): Promise<KeyMode> {
  const chosen = chosenMode.safeParse(cookieValue);
  if (chosen.success) return chosen.data;
  const [live] = await ctx.db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, scope.orgId), eq(apiKeys.mode, "live"), isNull(apiKeys.revokedAt)))
    .limit(1);
  return live ? "live" : "test";
}
