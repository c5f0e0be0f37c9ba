import { ROLES } from "@/db/schema";
import { createUser } from "../../users/service";
import { oneOf } from "../args";
import { CLI_ACTOR, defineCommand } from "../command";
import { readPassword } from "../prompt";

export const usersCreate = defineCommand({
  words: ["users", "create"],
  required: ["org", "email", "role"],
  synopsis: "--org ORG --email EMAIL --role owner|admin|member  (password on stdin)",
  async prepare({ flags, io }) {
    const role = oneOf("--role", flags.role, ROLES);
    const password = await readPassword(io);
    return async ({ db }) => {
      const user = await createUser(db, { orgId: flags.org, email: flags.email, role, password }, CLI_ACTOR);
      return { json: { id: user.id }, human: `Created user ${user.id} (${user.email}, ${user.role} of ${flags.org}).` };
    };
  },
});
