import { createOrganization } from "../../orgs/service";
import { CLI_ACTOR, defineCommand } from "../command";

export const orgsCreate = defineCommand({
  words: ["orgs", "create"],
  required: ["name"],
  synopsis: "--name NAME",
  async prepare({ flags }) {
    return async ({ db }) => {
      const org = await createOrganization(db, { name: flags.name }, CLI_ACTOR);
      return { json: { id: org.id }, human: `Created organization ${org.id} (${org.name}).` };
    };
  },
});
