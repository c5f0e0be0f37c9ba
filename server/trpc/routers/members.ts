import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ROLES } from "@/db/schema";
import { createUser, listMembers } from "../../users/service";
import { call } from "../domain";
import { adminProcedure, orgProcedure, router } from "../init";

export const membersRouter = router({
  list: orgProcedure.query(({ ctx }) => listMembers(...call(ctx))),
  add: adminProcedure.input(z.object({ email: z.string(), role: z.enum(ROLES), password: z.string() })).mutation(async ({ ctx, input }) => {
    if (input.role === "owner" && ctx.role !== "owner") throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can add another owner." });
    const user = await createUser(...call(ctx), input);
    return { id: user.id };
  }),
});
