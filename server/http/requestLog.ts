import { type HttpMethod, methodsAt } from "../contract/routes";
import { AppError } from "../errors";
import { log } from "../log";
import { getServices, type Services } from "../services";
import { errorResponse } from "./errors";
import { logRoute } from "./logRoute";
import { requestIdFrom } from "./requestId";

export interface RequestContext {
  requestId: string;
  services: Services;
  /** Headers added to the response whatever it turns out to be. */
  headers: Headers;
  /** Names the API key in the request's log line once it is known. */
  setKeyId(id: string): void;
  /** Aborts when the client goes away before the answer (the front's own signal, or the Request's under Next). */
  signal: AbortSignal;
}

type RouteContext<P> = { params: Promise<P>; signal?: AbortSignal };

/**
 * Every route's frame: a request id (a valid incoming one reused) on the
 * response, errors turned into a response by `onError` (the JSON error body
 * by default), and one structured log line per request.
 */
export function withRequestLog<P>(
  handler: (req: Request, params: P, services: Services, ctx: RequestContext) => Promise<Response>,
  opts: { onError?: (error: unknown, requestId: string, path: string) => Response } = {},
) {
  const onError = opts.onError ?? ((error, requestId, path) => errorResponse(error, requestId, { path }));
  return async (req: Request, route: RouteContext<P>): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = requestIdFrom(req.headers);
    const path = new URL(req.url).pathname;
    const headers = new Headers({ "X-Request-Id": requestId });
    let keyId: string | null = null;
    let response: Response;
    try {
      const services = await getServices();
      response = await handler(req, await route.params, services, {
        requestId,
        services,
        headers,
        setKeyId: (id) => (keyId = id),
        signal: route.signal ?? req.signal,
      });
    } catch (error) {
      response = onError(error, requestId, path);
    }
    for (const [name, value] of headers) response.headers.set(name, value);
    log.info("request", {
      requestId,
      method: req.method,
      route: logRoute(path),
      status: response.status,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      keyId,
    });
    return response;
  };
}

type RouteHandler = ((req: Request, route: RouteContext<unknown>) => Promise<Response>) & { allow?: readonly HttpMethod[] };

/**
 * Handlers for the methods a route file does not serve: the JSON error body
 * with 405, `Allow` (the methods the route table has at this path), a request
 * id and a log line, instead of Next's bare 405.
 * Usage: `export const { GET, PUT, PATCH, DELETE } = otherMethods(routes.createOAuthUrl.path);`
 */
export function otherMethods(path: string): Record<HttpMethod, RouteHandler> {
  const allowed = methodsAt(path);
  if (!allowed.length) throw new Error(`otherMethods: the route table has no route at ${path}`);
  const handler = withRequestLog<unknown>(async (req, _params, _services, { headers }) => {
    headers.set("Allow", allowed.join(", "));
    throw new AppError("METHOD_NOT_ALLOWED", `${req.method} is not supported here; use ${allowed.join(" or ")}.`);
  });
  // Marks the handler for the test that compares route files with the table.
  const marked = Object.assign(handler, { allow: allowed });
  return { GET: marked, POST: marked, PUT: marked, PATCH: marked, DELETE: marked };
}
