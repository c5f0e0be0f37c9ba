import { createProject } from "../../projects/service";
import { CLI_ACTOR, defineCommand } from "../command";

export const projectsCreate = defineCommand({
  words: ["projects", "create"],
  required: ["org", "name"],
  synopsis: "--org ORG --name NAME",
  async prepare({ flags }) {
    return async ({ db }) => {
      const project = await createProject(db, { orgId: flags.org, name: flags.name }, CLI_ACTOR);
      return { json: { id: project.id }, human: `Created project ${project.id} (${project.name}) in ${project.orgId}.` };
    };
  },
});
