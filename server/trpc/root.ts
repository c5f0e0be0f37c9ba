import { orgProcedure, router } from "./init";
import { accountsRouter, attemptsRouter, auditRouter, overviewRouter } from "./routers/activity";
import { allowlistRouter, apiKeysRouter } from "./routers/apiKeys";
import { authRouter } from "./routers/auth";
import { membersRouter } from "./routers/members";
import { operationsRouter } from "./routers/operations";
import { projectsRouter } from "./routers/projects";
import { webhooksRouter } from "./routers/webhooks";

/** The console's procedures: thin calls into the same domain functions REST and ladmin use. */
export const appRouter = router({
  auth: authRouter,
  me: orgProcedure.query(({ ctx }) => ({ user: ctx.user, org: ctx.org, role: ctx.role })),
  overview: overviewRouter,
  projects: projectsRouter,
  apiKeys: apiKeysRouter,
  allowlist: allowlistRouter,
  attempts: attemptsRouter,
  accounts: accountsRouter,
  audit: auditRouter,
  members: membersRouter,
  operations: operationsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
