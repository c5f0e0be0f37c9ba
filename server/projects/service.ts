import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { preparedQuery } from "@/db/prepared";
import { newId } from "@/db/ids";
import { projects, socialAccounts } from "@/db/schema";
import { ids } from "@/server/contract/ids";
import { recordAudit } from "../audit/record";
import { type DomainContext, inTransaction } from "../domain/context";
import type { OrgScope } from "../domain/scope";
import { AppError } from "../errors";
import { nameSchema, requireOrganization } from "../orgs/service";
import { parseInput } from "../validation";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const nameInput = z.object({ name: nameSchema });
const projectIdInput = z.object({ id: ids.prj });

export async function createProject(ctx: DomainContext, scope: OrgScope, input: { name: string }) {
  const { name } = parseInput(nameInput, input);
  await requireOrganization(ctx, scope);
  const id = newId("prj");
  await ctx.db.insert(projects).values({ id, orgId: scope.orgId, name });
  await recordAudit(ctx, scope, { action: "project.created", targetType: "project", targetId: id, data: { name } });
  return { id, orgId: scope.orgId, name };
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
export async function requireActiveProject(ctx: DomainContext, scope: OrgScope, projectId: string) {
  const [project] = await projectInOrg(ctx.db).execute({ projectId, orgId: scope.orgId });
  if (!project || project.archivedAt) {
    throw new AppError("NOT_FOUND", `Project ${projectId} was not found in this key's organization.`);
  }
  return project;
}

/** The organization a project belongs to, for the operator (ladmin) who names a project by its id alone. */
export async function projectOrg(ctx: DomainContext, projectId: string): Promise<string> {
  const { id } = parseInput(projectIdInput, { id: projectId });
  const [project] = await ctx.db.select({ orgId: projects.orgId, archivedAt: projects.archivedAt }).from(projects).where(eq(projects.id, id)).limit(1);
  if (!project || project.archivedAt) throw new AppError("NOT_FOUND", `Project ${id} was not found.`);
  return project.orgId;
}

/** The organization's projects with how many accounts each holds, newest first. */
export async function listProjects(ctx: DomainContext, scope: OrgScope) {
  const rows = await ctx.db
    .select({
      id: projects.id,
      name: projects.name,
      archivedAt: projects.archivedAt,
      createdAt: projects.createdAt,
      // The outer table named in full: a bare "id" inside the subquery would be social_accounts' own.
      accountCount: sql<number>`(select count(*)::int from ${socialAccounts} where ${socialAccounts.projectId} = ${projects}.${sql.identifier("id")})`,
    })
    .from(projects)
    .where(eq(projects.orgId, scope.orgId))
    .orderBy(desc(projects.createdAt));
  return rows.map((r) => ({ ...r, accountCount: Number(r.accountCount), archivedAt: r.archivedAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

async function requireProject(ctx: DomainContext, scope: OrgScope, projectId: string) {
  const id = parseInput(projectIdInput, { id: projectId }).id;
  const [project] = await ctx.db.select().from(projects).where(and(eq(projects.id, id), eq(projects.orgId, scope.orgId))).limit(1);
  if (!project) throw new AppError("NOT_FOUND", `Project ${id} was not found.`);
  return project;
}

export async function renameProject(ctx: DomainContext, scope: OrgScope, input: { id: string; name: string }) {
  const project = await requireProject(ctx, scope, input.id);
  const { name } = parseInput(nameInput, input);
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(projects).set({ name, updatedAt: new Date() }).where(eq(projects.id, project.id));
    await recordAudit(tx, scope, { action: "project.renamed", targetType: "project", targetId: project.id, data: { from: project.name, to: name } });
  });
  return { id: project.id };
}

/** Archived projects keep their history but accept no new connections (oauth-url answers 404). */
export async function archiveProject(ctx: DomainContext, scope: OrgScope, input: { id: string }) {
  const project = await requireProject(ctx, scope, input.id);
  if (project.archivedAt) return { id: project.id, archivedAt: project.archivedAt.toISOString() };
  const archivedAt = new Date();
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(projects).set({ archivedAt, updatedAt: archivedAt }).where(eq(projects.id, project.id));
    await recordAudit(tx, scope, { action: "project.archived", targetType: "project", targetId: project.id, data: { name: project.name } });
  });
  return { id: project.id, archivedAt: archivedAt.toISOString() };
}
