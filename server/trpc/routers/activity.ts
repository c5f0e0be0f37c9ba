import { z } from "zod";
import { ids } from "@/server/contract/ids";
import { disconnectSocialAccount, listOrgAccounts } from "../../accounts/service";
import { listAuditEvents } from "../../audit/list";
import { consoleOverview } from "../../console/overview";
import { cursorSchema } from "../../pagination";
import { attemptFilters, getAttempt, listAttempts } from "../../attempts/log";
import { call, callInMode } from "../domain";
import { adminModeProcedure, orgModeProcedure, orgProcedure, router } from "../init";

export const overviewRouter = router({
  get: orgModeProcedure.query(({ ctx }) => consoleOverview(...callInMode(ctx))),
});

export const attemptsRouter = router({
  list: orgModeProcedure.input(attemptFilters.omit({ limit: true })).query(({ ctx, input }) => listAttempts(...callInMode(ctx), input)),
  get: orgModeProcedure.input(z.object({ state: ids.st })).query(({ ctx, input }) => getAttempt(...callInMode(ctx), input.state)),
});

export const accountsRouter = router({
  list: orgModeProcedure
    .input(z.object({ projectId: ids.prj.optional(), cursor: cursorSchema.optional() }))
    .query(({ ctx, input }) => listOrgAccounts(...callInMode(ctx), input)),
  disconnect: adminModeProcedure.input(z.object({ id: ids.sa })).mutation(async ({ ctx, input }) => {
    await disconnectSocialAccount(...callInMode(ctx), input.id);
    return { id: input.id };
  }),
});

export const auditRouter = router({
  list: orgProcedure.input(z.object({ cursor: cursorSchema.optional() })).query(({ ctx, input }) => listAuditEvents(...call(ctx), input)),
});
