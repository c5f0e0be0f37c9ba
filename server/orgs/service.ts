import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { ID_PATTERNS, newId } from "@/db/ids";
import { organizations } from "@/db/schema";
import { type Actor, recordAudit } from "../audit/record";
import { AppError } from "../errors";
import { parseInput } from "../validation";

export const orgIdSchema = z.string().regex(ID_PATTERNS.org, "must be an organization id (org_...)");
export const nameSchema = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");

export async function createOrganization(db: Queryable, input: { name: string }, actor: Actor) {
  const { name } = parseInput(z.object({ name: nameSchema }), input);
  const id = newId("org");
  await db.insert(organizations).values({ id, name });
  await recordAudit(db, { orgId: id, actor, action: "org.created", targetType: "organization", targetId: id, data: { name } });
  return { id, name };
}

export async function requireOrganization(db: Queryable, orgId: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId)).limit(1);
  if (!org) throw new AppError("NOT_FOUND", `Organization ${orgId} was not found.`);
  return org;
}
