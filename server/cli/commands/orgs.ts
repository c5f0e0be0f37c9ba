import { createOrganization } from "../../orgs/service";
import { defineCommand, OPERATOR } from "../command";

export const orgsCreate = defineCommand({
  words: ["orgs", "create"],
  required: ["name"],
  synopsis: "--name NAME",
  async prepare({ flags }) {
    return async (ctx) => {
      const org = await createOrganization(ctx, OPERATOR, { name: flags.name });
      return { json: { id: org.id }, human: `Created organization ${org.id} (${org.name}).` };
    };
  },
});
