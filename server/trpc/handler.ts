import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { requestIdFrom } from "../http/requestId";
import { getServices } from "../services";
import { browserCallFromRequest, isSameOrigin } from "./origin";
import { appRouter } from "./root";

/**
 * Mutations arrive only as POST (tRPC refuses mutations over GET) and only
 * from the console's own origin: a cross-site form or fetch is refused here
 * before its body is read, and again by the procedures' own middleware.
 */
export async function handleTrpc(req: Request, userId: () => Promise<string | null>): Promise<Response> {
  const services = await getServices();
  const requestId = requestIdFrom(req.headers);
  const source = browserCallFromRequest(req);
  if (req.method !== "GET" && !isSameOrigin(source, services.config.publicUrl)) {
    return Response.json({ error: { message: "Cross-origin requests to the console API are refused." } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ services, userId: await userId(), requestId, source }),
    // Unknown faults are logged once, by toAppError in the procedure chain.
    responseMeta: () => ({ headers: { "X-Request-Id": requestId } }),
  });
}
