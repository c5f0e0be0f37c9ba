import { ROLES } from "@/db/schema";
import { createUser } from "../../users/service";
import { oneOf } from "../args";
import { defineCommand, orgFlag } from "../command";
import { readPassword } from "../prompt";

export const usersCreate = defineCommand({
  words: ["users", "create"],
  required: ["org", "email", "role"],
  synopsis: "--org ORG --email EMAIL --role owner|admin|member  (password on stdin)",
  async prepare({ flags, io }) {
    const scope = orgFlag(flags.org);
    const role = oneOf("--role", flags.role, ROLES);
    const password = await readPassword(io);
    return async (ctx) => {
      const user = await createUser(ctx, scope, { email: flags.email, role, password });
      return { json: { id: user.id }, human: `Created user ${user.id} (${user.email}, ${user.role} of ${scope.orgId}).` };
    };
  },
});
