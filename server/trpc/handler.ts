import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { requestIdFrom } from "../http/requestId";
import { getServices } from "../services";
import { appRouter } from "./root";

/**
 * Mutations arrive only as POST (tRPC refuses mutations over GET) and only
 * from the console's own origin: a cross-site form or fetch is refused before
 * any procedure runs, on top of the sameSite=lax session cookie.
 */
export function isSameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.headers.get("origin");
  if (origin) return origin === new URL(publicUrl).origin || origin === new URL(req.url).origin;
  const site = req.headers.get("sec-fetch-site");
  return site === "same-origin" || site === null;
}

export async function handleTrpc(req: Request, userId: () => Promise<string | null>): Promise<Response> {
  const services = await getServices();
  const requestId = requestIdFrom(req.headers);
  if (req.method !== "GET" && !isSameOrigin(req, services.config.publicUrl)) {
    return Response.json({ error: { message: "Cross-origin requests to the console API are refused." } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ services, userId: await userId(), requestId }),
    // Unknown faults are logged once, by toAppError in the procedure chain.
    responseMeta: () => ({ headers: { "X-Request-Id": requestId } }),
  });
}
