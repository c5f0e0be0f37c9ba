import { z } from "zod";
import { ids } from "@/server/contract/ids";
import { archiveProject, createProject, listProjects, renameProject } from "../../projects/service";
import { call } from "../domain";
import { adminProcedure, orgProcedure, router } from "../init";

export const projectsRouter = router({
  list: orgProcedure.query(({ ctx }) => listProjects(...call(ctx))),
  create: adminProcedure
    .input(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => createProject(...call(ctx), input)),
  rename: adminProcedure
    .input(z.object({ id: ids.prj, name: z.string() }))
    .mutation(({ ctx, input }) => renameProject(...call(ctx), input)),
  archive: adminProcedure
    .input(z.object({ id: ids.prj }))
    .mutation(({ ctx, input }) => archiveProject(...call(ctx), input)),
});
