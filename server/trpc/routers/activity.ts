import { z } from "zod";
import { disconnectSocialAccount, listOrgAccounts } from "../../accounts/service";
import { listAuditEvents } from "../../audit/list";
import { consoleOverview } from "../../console/overview";
import { attemptFilters, getAttempt, listAttempts } from "../../oauth/attemptLog";
import { adminProcedure, orgProcedure, router, userActor } from "../init";

export const overviewRouter = router({
  get: orgProcedure.query(({ ctx }) => consoleOverview(ctx.services.database.db, ctx.org.id)),
});

export const attemptsRouter = router({
  list: orgProcedure.input(attemptFilters.omit({ limit: true })).query(({ ctx, input }) => listAttempts(ctx.services.database.db, ctx.org.id, input)),
  get: orgProcedure.input(z.object({ state: z.string() })).query(({ ctx, input }) => getAttempt(ctx.services.database.db, ctx.org.id, input.state)),
});

export const accountsRouter = router({
  list: orgProcedure
    .input(z.object({ projectId: z.string().optional(), cursor: z.string().optional() }))
    .query(({ ctx, input }) => listOrgAccounts(ctx.services.database.db, ctx.org.id, input)),
  disconnect: adminProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    await disconnectSocialAccount(ctx.services.database.db, ctx.services, ctx.org.id, input.id, userActor(ctx));
    return { id: input.id };
  }),
});

export const auditRouter = router({
  list: orgProcedure.input(z.object({ cursor: z.string().optional() })).query(({ ctx, input }) => listAuditEvents(ctx.services.database.db, ctx.org.id, input.cursor)),
});
