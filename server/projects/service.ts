import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { preparedQuery } from "@/db/prepared";
import { ID_PATTERNS, newId } from "@/db/ids";
import { projects } from "@/db/schema";
import { type Actor, recordAudit } from "../audit/record";
import { AppError } from "../errors";
import { nameSchema, orgIdSchema, requireOrganization } from "../orgs/service";
import { parseInput } from "../validation";

export const projectIdSchema = z.string().regex(ID_PATTERNS.prj, "must be a project id (prj_...)");

export async function createProject(db: Queryable, input: { orgId: string; name: string }, actor: Actor) {
  const { orgId, name } = parseInput(z.object({ orgId: orgIdSchema, name: nameSchema }), input);
  await requireOrganization(db, orgId);
  const id = newId("prj");
  await db.insert(projects).values({ id, orgId, name });
  await recordAudit(db, { orgId, actor, action: "project.created", targetType: "project", targetId: id, data: { name } });
  return { id, orgId, name };
}

const projectInOrg = preparedQuery("project_in_org", (db) =>
  db
    .select({ id: projects.id, name: projects.name, archivedAt: projects.archivedAt })
    .from(projects)
    .where(and(eq(projects.id, sql.placeholder("projectId")), eq(projects.orgId, sql.placeholder("orgId"))))
    .limit(1)
    .prepare("project_in_org"),
);

/**
 * A live project of the caller's organization, or NOT_FOUND. The message is
 * the same whether the project exists elsewhere, was archived or never was.
 */
export async function requireActiveProject(db: Db, orgId: string, projectId: string) {
  const [project] = await projectInOrg(db).execute({ projectId, orgId });
  if (!project || project.archivedAt) {
    throw new AppError("NOT_FOUND", `Project ${projectId} was not found in this key's organization.`);
  }
  return project;
}
