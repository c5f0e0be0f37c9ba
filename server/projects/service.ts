import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { preparedQuery } from "@/db/prepared";
import { ID_PATTERNS, newId } from "@/db/ids";
import { projects, socialAccounts } from "@/db/schema";
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

const projectRef = z.object({ orgId: orgIdSchema, id: projectIdSchema });

/** The organization's projects with how many accounts each holds, newest first. */
export async function listProjects(db: Queryable, orgId: string) {
  const rows = await db
    .select({
      id: projects.id,
      name: projects.name,
      archivedAt: projects.archivedAt,
      createdAt: projects.createdAt,
      accountCount: sql<number>`(select count(*)::int from ${socialAccounts} where ${socialAccounts.projectId} = ${projects.id})`,
    })
    .from(projects)
    .where(eq(projects.orgId, orgId))
    .orderBy(desc(projects.createdAt));
  return rows.map((r) => ({ ...r, accountCount: Number(r.accountCount), archivedAt: r.archivedAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

async function requireProject(db: Queryable, orgId: string, id: string) {
  const ref = parseInput(projectRef, { orgId, id });
  const [project] = await db.select().from(projects).where(and(eq(projects.id, ref.id), eq(projects.orgId, ref.orgId))).limit(1);
  if (!project) throw new AppError("NOT_FOUND", `Project ${id} was not found.`);
  return project;
}

export async function renameProject(db: Db, orgId: string, id: string, name: string, actor: Actor) {
  const project = await requireProject(db, orgId, id);
  const newName = parseInput(z.object({ name: nameSchema }), { name }).name;
  await db.transaction(async (tx) => {
    await tx.update(projects).set({ name: newName, updatedAt: new Date() }).where(eq(projects.id, project.id));
    await recordAudit(tx, { orgId, actor, action: "project.renamed", targetType: "project", targetId: project.id, data: { from: project.name, to: newName } });
  });
  return { id: project.id };
}

/** Archived projects keep their history but accept no new connections (oauth-url answers 404). */
export async function archiveProject(db: Db, orgId: string, id: string, actor: Actor) {
  const project = await requireProject(db, orgId, id);
  if (project.archivedAt) return { id: project.id, archivedAt: project.archivedAt.toISOString() };
  const archivedAt = new Date();
  await db.transaction(async (tx) => {
    await tx.update(projects).set({ archivedAt, updatedAt: archivedAt }).where(eq(projects.id, project.id));
    await recordAudit(tx, { orgId, actor, action: "project.archived", targetType: "project", targetId: project.id, data: { name: project.name } });
  });
  return { id: project.id, archivedAt: archivedAt.toISOString() };
}
