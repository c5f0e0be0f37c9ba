import { TRPCError } from "@trpc/server";
import { jobsStatus } from "../../jobs/status";
import { callInMode } from "../domain";
import { orgModeProcedure, router } from "../init";

/**
 * Owners and admins only. The worker list is the instance's, not the
 * organization's (host names and process ids of whoever runs Layers), which
 * is operator information; the admins who run the integration are the ones
 * who act on "no worker is running". Members see everything of their own
 * organization elsewhere (accounts that need reauth are on the accounts page).
 */
const operatorViewProcedure = orgModeProcedure.use(({ ctx, next }) => {
  if (ctx.role === "member") throw new TRPCError({ code: "FORBIDDEN", message: "The operations page is for owners and admins: it shows this Layers instance's worker processes." });
  return next({ ctx });
});

export const operationsRouter = router({
  status: operatorViewProcedure.query(({ ctx }) => jobsStatus(...callInMode(ctx))),
});
