import { z } from "zod";
import { disconnectSocialAccount, listOrgAccounts } from "../../accounts/service";
import { listAuditEvents } from "../../audit/list";
import { consoleOverview } from "../../console/overview";
import { attemptFilters, getAttempt, listAttempts } from "../../attempts/log";
import { call } from "../domain";
import { adminProcedure, orgProcedure, router } from "../init";

export const overviewRouter = router({
  get: orgProcedure.query(({ ctx }) => consoleOverview(...call(ctx))),
});

export const attemptsRouter = router({
  list: orgProcedure.input(attemptFilters.omit({ limit: true })).query(({ ctx, input }) => listAttempts(...call(ctx), input)),
  get: orgProcedure.input(z.object({ state: z.string() })).query(({ ctx, input }) => getAttempt(...call(ctx), input.state)),
});

export const accountsRouter = router({
  list: orgProcedure
    .input(z.object({ projectId: z.string().optional(), cursor: z.string().optional() }))
    .query(({ ctx, input }) => listOrgAccounts(...call(ctx), input)),
  disconnect: adminProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    await disconnectSocialAccount(...call(ctx), input.id);
    return { id: input.id };
  }),
});

export const auditRouter = router({
  list: orgProcedure.input(z.object({ cursor: z.string().optional() })).query(({ ctx, input }) => listAuditEvents(...call(ctx), input)),
});
