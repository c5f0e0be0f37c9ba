import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { auth } from "../auth/config";
import { AppError } from "../errors";
import { requestIdFrom } from "../http/requestId";
import { getServices } from "../services";
import { createCallerFactory, type TrpcContext } from "./init";
import { browserCallFromHeaders } from "./origin";
import { appRouter } from "./root";
import type { FormState } from "./routers/auth";

/**
 * The context of a server action: what /api/trpc's adapter builds from its
 * Request, built here from the action's headers and the next-auth session.
 */
export async function actionContext(): Promise<TrpcContext> {
  const [services, incoming, session] = await Promise.all([getServices(), headers(), auth()]);
  return {
    services,
    userId: session?.user?.id ?? null,
    requestId: requestIdFrom(incoming),
    source: browserCallFromHeaders(incoming, services.config.publicUrl),
  };
}

const createCaller = createCallerFactory(appRouter);

/** The console's procedures as a server action calls them: every middleware of /api/trpc applies. */
export async function actionCaller() {
  return createCaller(await actionContext());
}

/**
 * A procedure's failure as the form shows it. Next's own control flow (the
 * redirect after a sign-in, wrapped by tRPC as the cause of its error) is
 * thrown on to Next, which sends the browser on.
 */
export function formStateFrom(error: unknown): FormState {
  unstable_rethrow(error);
  if (!(error instanceof TRPCError)) throw error;
  const issues = error.cause instanceof AppError ? (error.cause.extra.issues ?? []) : [];
  if (issues.length > 0) return { error: "Check the highlighted fields.", fields: Object.fromEntries(issues.map((i) => [i.path, i.message])) };
  return { error: error.message };
}
