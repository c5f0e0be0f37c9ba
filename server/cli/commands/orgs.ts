import { createOrganization, listOrganizations } from "../../orgs/service";
import { defineCommand, listOutput, OPERATOR } from "../command";

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

export const orgsList = defineCommand({
  words: ["orgs", "list"],
  synopsis: "",
  async prepare() {
    return async (ctx) => {
      const data = await listOrganizations(ctx, OPERATOR);
      return listOutput(data, "Organizations", "There are no organizations.", (o) => `${o.id}  ${o.createdAt}  ${o.name}`);
    };
  },
});
