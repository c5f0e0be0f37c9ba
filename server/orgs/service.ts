import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/db/ids";
import { organizations } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { DomainContext } from "../domain/context";
import type { OperatorScope, OrgScope } from "../domain/scope";
import { AppError } from "../errors";
import { parseInput } from "../validation";

export const nameSchema = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
// Made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const nameInput = z.object({ name: nameSchema });

/** Only the operator makes organizations (the console's first one comes from setup). */
export async function createOrganization(ctx: DomainContext, scope: OperatorScope, input: { name: string }) {
  const { name } = parseInput(nameInput, input);
  const id = newId("org");
  await ctx.db.insert(organizations).values({ id, name });
  await recordAudit(ctx, { kind: "org", orgId: id, actor: scope.actor }, { action: "org.created", targetType: "organization", targetId: id, data: { name } });
  return { id, name };
}

/** The scope's organization; NOT_FOUND when the operator named one that does not exist. */
export async function requireOrganization(ctx: DomainContext, scope: OrgScope) {
  const [org] = await ctx.db.select().from(organizations).where(eq(organizations.id, scope.orgId)).limit(1);
  if (!org) throw new AppError("NOT_FOUND", `Organization ${scope.orgId} was not found.`);
  return org;
}

/** Every organization of the instance, oldest first: the operator's view (ladmin orgs list). */
export async function listOrganizations(ctx: DomainContext, _scope: OperatorScope) {
  const rows = await ctx.db
    .select({ id: organizations.id, name: organizations.name, createdAt: organizations.createdAt })
    .from(organizations)
    .orderBy(asc(organizations.createdAt), asc(organizations.id));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}
