import { createProject, listProjects } from "../../projects/service";
import { defineCommand, orgFlag, orgListCommand } from "../command";

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

// An organization with no projects and one that does not exist must not look alike (orgListCommand).
export const projectsList = orgListCommand({
  noun: "projects",
  title: "Projects",
  plural: "projects",
  list: listProjects,
  line: (p) => `${p.id}  ${p.archivedAt ? "archived" : "active"}  ${p.accountCount === 1 ? "1 account" : `${p.accountCount} accounts`}  ${p.name}`,
});

