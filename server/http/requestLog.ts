import { type HttpMethod, methodsAt } from "../contract/routes";
import { AppError } from "../errors";
import { log } from "../log";
import { getServices, type Services } from "../services";
import { type Answer, type ApiRequest, toResponse, withHeaders } from "./answer";
import { errorAnswer } from "./errors";
import { logRoute } from "./logRoute";
import { requestIdFrom } from "./requestId";

export interface RequestContext {
  requestId: string;
  services: Services;
  /** The request's URL, parsed once. */
  url: URL;
  /** Headers added to the answer whatever it turns out to be (lower-case names). */
  headers: Record<string, string>;
  /** Names the API key in the request's log line once it is known. */
  setKeyId(id: string): void;
  /** Aborts when the client goes away before the answer (the front's own signal, or the Request's under Next). */
  signal: AbortSignal;
}

const NEVER_ABORTED = new AbortController().signal;

type RouteContext<P> = { params: Promise<P>; signal?: AbortSignal };

/** The handler below an exported route handler: any ApiRequest in, an Answer out (the /v1 front calls it directly). */
export type AnswerHandler<P = unknown> = (req: ApiRequest, route: RouteContext<P>) => Promise<Answer>;

/** What a route file exports: Next's route-handler signature, and the answer-level handler beneath it. */
export type WebRouteHandler<P = unknown> = ((req: Request, route: RouteContext<P>) => Promise<Response>) & { answer: AnswerHandler<P> };

/**
 * Every route's frame: a request id (a valid incoming one reused) on the
 * answer, errors turned into an answer by `onError` (the JSON error body by
 * default), and one structured log line per request.
 */
export function withRequestLog<P>(
  handler: (req: ApiRequest, params: P, services: Services, ctx: RequestContext) => Promise<Answer>,
  opts: { onError?: (error: unknown, requestId: string, path: string) => Answer } = {},
): WebRouteHandler<P> {
  const onError = opts.onError ?? ((error, requestId, path) => errorAnswer(error, requestId, { path }));
  const answer: AnswerHandler<P> = async (req, route) => {
    const startedAt = performance.now();
    const requestId = requestIdFrom(req.headers);
    const url = new URL(req.url);
    const headers: Record<string, string> = { "x-request-id": requestId };
    let keyId: string | null = null;
    let result: Answer;
    try {
      const services = await getServices();
      result = await handler(req, await route.params, services, {
        requestId,
        services,
        url,
        headers,
        setKeyId: (id) => (keyId = id),
        signal: route.signal ?? req.signal ?? NEVER_ABORTED,
      });
    } catch (error) {
      result = onError(error, requestId, url.pathname);
    }
    result = withHeaders(result, headers);
    log.info("request", {
      requestId,
      method: req.method,
      route: logRoute(url.pathname),
      status: result.status,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      keyId,
    });
    return result;
  };
  return Object.assign(async (req: Request, route: RouteContext<P>) => toResponse(await answer(req, route)), { answer });
}

type RouteHandler = WebRouteHandler & { allow?: readonly HttpMethod[] };

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
    headers.allow = allowed.join(", ");
    throw new AppError("METHOD_NOT_ALLOWED", `${req.method} is not supported here; use ${allowed.join(" or ")}.`);
  });
  // Marks the handler for the test that compares route files with the table.
  const marked = Object.assign(handler, { allow: allowed });
  return { GET: marked, POST: marked, PUT: marked, PATCH: marked, DELETE: marked };
}
