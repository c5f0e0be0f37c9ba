import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ROLES } from "@/db/schema";
import { ids } from "../../contract/ids";
import { removeMember, setMemberRole } from "../../users/manage";
import { createUser, listMembers } from "../../users/service";
import { call } from "../domain";
import { adminProcedure, orgProcedure, router } from "../init";

/** Roles and removals decide who runs the organization: owners only. */
const ownerProcedure = orgProcedure.use(({ ctx, next }) => {
  if (ctx.role !== "owner") throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can change roles or remove members." });
  return next({ ctx });
});

export const membersRouter = router({
  list: orgProcedure.query(({ ctx }) => listMembers(...call(ctx))),
  add: adminProcedure.input(z.object({ email: z.string(), role: z.enum(ROLES), password: z.string() })).mutation(async ({ ctx, input }) => {
    if (input.role === "owner" && ctx.role !== "owner") throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can add another owner." });
    const user = await createUser(...call(ctx), input);
    return { id: user.id };
  }),
  setRole: ownerProcedure.input(z.object({ userId: ids.usr, role: z.enum(ROLES) })).mutation(({ ctx, input }) => setMemberRole(...call(ctx), input)),
  remove: ownerProcedure.input(z.object({ userId: ids.usr })).mutation(({ ctx, input }) => removeMember(...call(ctx), input)),
});
