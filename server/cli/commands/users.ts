import { ROLES } from "@/db/schema";
import { disableUser, setMemberRole, setUserPassword } from "../../users/manage";
import { createUser } from "../../users/service";
import { checkId, oneOf } from "../args";
import { defineCommand, OPERATOR, orgFlag } from "../command";
import { readPassword } from "../prompt";

const checkUserId = (value: string) => checkId("USER", "usr", value);

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

export const usersSetRole = defineCommand({
  words: ["users", "set-role"],
  operands: ["USER", "ROLE"],
  synopsis: "USER owner|admin|member",
  async prepare({ operands }) {
    const userId = checkUserId(operands.USER);
    const role = oneOf("ROLE", operands.ROLE, ROLES);
    return async (ctx) => {
      await setMemberRole(ctx, OPERATOR, { userId, role });
      return { json: { id: userId }, human: `${userId} is now ${role === "member" ? "a" : "an"} ${role}.` };
    };
  },
});

export const usersDisable = defineCommand({
  words: ["users", "disable"],
  operands: ["USER"],
  synopsis: "USER  (ends their sessions; they can no longer sign in)",
  async prepare({ operands }) {
    const userId = checkUserId(operands.USER);
    return async (ctx) => {
      await disableUser(ctx, OPERATOR, { userId });
      return { json: { id: userId }, human: `Disabled ${userId}: their sessions have ended and they can no longer sign in.` };
    };
  },
});

export const usersSetPassword = defineCommand({
  words: ["users", "set-password"],
  operands: ["USER"],
  synopsis: "USER  (password on stdin; ends their sessions)",
  async prepare({ operands, io }) {
    const userId = checkUserId(operands.USER);
    const password = await readPassword(io);
    return async (ctx) => {
      await setUserPassword(ctx, OPERATOR, { userId, password });
      return { json: { id: userId }, human: `Set a new password for ${userId}; their sessions have ended.` };
    };
  },
});
