import { requireOrganization } from "../../orgs/service";
import { createProject, listProjects } from "../../projects/service";
import { defineCommand, listOutput, orgFlag } from "../command";

export const projectsCreate = defineCommand({
  words: ["projects", "create"],
  required: ["org", "name"],
  synopsis: "--org ORG --name NAME",
  async prepare({ flags }) {
    const scope = orgFlag(flags.org);
    return async (ctx) => {
      const project = await createProject(ctx, scope, { name: flags.name });
      return { json: { id: project.id }, human: `Created project ${project.id} (${project.name}) in ${scope.orgId}.` };
    };
  },
});

export const projectsList = defineCommand({
  words: ["projects", "list"],
  required: ["org"],
  synopsis: "--org ORG",
  async prepare({ flags }) {
    const scope = orgFlag(flags.org);
    return async (ctx) => {
      // An organization with no projects and one that does not exist must not look alike.
      await requireOrganization(ctx, scope);
      const data = await listProjects(ctx, scope);
      return listOutput(data, `Projects of ${scope.orgId}`, `Organization ${scope.orgId} has no projects.`, (p) => `${p.id}  ${p.archivedAt ? "archived" : "active"}  ${p.accountCount === 1 ? "1 account" : `${p.accountCount} accounts`}  ${p.name}`);
    };
  },
});
