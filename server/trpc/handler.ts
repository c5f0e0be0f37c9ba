import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { jsonDepth, MAX_JSON_DEPTH } from "../contract/safeJson";
import { MAX_BODY_BYTES } from "../http/body";
import { BodyTooLargeError, withLimitedBody } from "../http/limitedBody";
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
  const bounded = await boundedRequest(req, requestId);
  if (bounded instanceof Response) return bounded;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: bounded,
    router: appRouter,
    createContext: async () => ({ services, userId: await userId(), requestId, source }),
    // Unknown faults are logged once, by toAppError in the procedure chain.
    responseMeta: () => ({ headers: { "X-Request-Id": requestId } }),
  });
}

const refusal = (status: number, code: string, message: string, requestId: string) =>
  Response.json({ error: { code, message, requestId } }, { status, headers: { "X-Request-Id": requestId } });

/**
 * The adapter reads the body whole by itself, so it is read here first, with
 * the same 64 KiB byte budget as /v1 (Content-Length first, then counted
 * while streaming), and handed on as a new Request. JSON deeper than 32
 * levels is refused before anything parses it, in the body or in a GET's
 * `input`; NUL characters are the procedures' middleware's to refuse.
 */
async function boundedRequest(req: Request, requestId: string): Promise<Request | Response> {
  const tooDeep = () => refusal(400, "VALIDATION", `The input nests deeper than ${MAX_JSON_DEPTH} levels.`, requestId);
  if (req.method === "GET" || req.method === "HEAD") {
    const input = new URL(req.url).searchParams.get("input");
    return input !== null && jsonDepth(input) > MAX_JSON_DEPTH ? tooDeep() : req;
  }
  let bounded: Request;
  try {
    bounded = await withLimitedBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refusal(413, "PAYLOAD_TOO_LARGE", `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`, requestId);
    }
    return refusal(400, "VALIDATION", "The request body could not be read.", requestId);
  }
  // Reading a buffered body again costs a copy, not another wait on the client.
  return jsonDepth(await bounded.clone().text()) > MAX_JSON_DEPTH ? tooDeep() : bounded;
}
