import { z } from "zod";
import { ids } from "@/server/contract/ids";
import { ACCOUNT_STATUSES } from "@/server/contract/vocabulary";
import { refreshSocialAccount } from "../../accounts/refreshNow";
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
    .input(z.object({ projectId: ids.prj.optional(), status: z.enum(ACCOUNT_STATUSES).optional(), cursor: cursorSchema.optional() }))
    .query(({ ctx, input }) => listOrgAccounts(...callInMode(ctx), input)),
  disconnect: adminModeProcedure.input(z.object({ id: ids.sa })).mutation(async ({ ctx, input }) => {
    await disconnectSocialAccount(...callInMode(ctx), input.id);
    return { id: input.id };
  }),
  // "Refresh now": the account as it is after the refresh, or NEEDS_REAUTH / UNAVAILABLE in words.
  refresh: adminModeProcedure.input(z.object({ id: ids.sa })).mutation(({ ctx, input }) => refreshSocialAccount(...callInMode(ctx), input.id)),
});

export const auditRouter = router({
  list: orgProcedure.input(z.object({ cursor: cursorSchema.optional() })).query(({ ctx, input }) => listAuditEvents(...call(ctx), input)),
});
