import { createProject } from "../../projects/service";
import { defineCommand, orgFlag } from "../command";

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
