import { z } from "zod";
import { archiveProject, createProject, listProjects, renameProject } from "../../projects/service";
import { adminProcedure, orgProcedure, router, userActor } from "../init";

export const projectsRouter = router({
  list: orgProcedure.query(({ ctx }) => listProjects(ctx.services.database.db, ctx.org.id)),
  create: adminProcedure
    .input(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => createProject(ctx.services.database.db, { orgId: ctx.org.id, name: input.name }, userActor(ctx))),
  rename: adminProcedure
    .input(z.object({ id: z.string(), name: z.string() }))
    .mutation(({ ctx, input }) => renameProject(ctx.services.database.db, ctx.org.id, input.id, input.name, userActor(ctx))),
  archive: adminProcedure
    .input(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => archiveProject(ctx.services.database.db, ctx.org.id, input.id, userActor(ctx))),
});
