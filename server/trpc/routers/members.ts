import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ROLES } from "@/db/schema";
import { createUser, listMembers } from "../../users/service";
import { adminProcedure, orgProcedure, router, userActor } from "../init";

export const membersRouter = router({
  list: orgProcedure.query(({ ctx }) => listMembers(ctx.services.database.db, ctx.org.id)),
  add: adminProcedure.input(z.object({ email: z.string(), role: z.enum(ROLES), password: z.string() })).mutation(async ({ ctx, input }) => {
    if (input.role === "owner" && ctx.role !== "owner") throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can add another owner." });
    const user = await createUser(ctx.services.database.db, { ...input, orgId: ctx.org.id }, userActor(ctx));
    return { id: user.id };
  }),
});
