import type { z } from "zod";
import type { RouteSpec } from "../contract/routes";
import { findNul } from "../contract/safeJson";
import { validationError, zodIssues } from "../errors";
import type { VerifiedKey } from "../keys/verify";
import type { Services } from "../services";
import { type Answer, type ApiRequest, jsonAnswer } from "./answer";
import { type WebRouteHandler, withRequestLog } from "./requestLog";
import { withApiKey } from "./withApiKey";

/**
 * What Next passes a route handler, and what the /v1 front passes: the same
 * plus `signal`, which aborts when the client goes away (a Request's own
 * signal costs about 10 µs to make, on every request; only long-polls use it).
 */
export type RouteHandler = WebRouteHandler<Record<string, string | string[]>> & { route: RouteSpec };

type ParamsOf<R extends RouteSpec> = R["params"] extends z.ZodObject ? z.output<R["params"]> : Record<string, never>;
/** The path parameters as they came (one string per `:name`), unchecked. */
type RawParamsOf<R extends RouteSpec> = { [K in keyof ParamsOf<R>]: string };

/** The JSON body the route answers with on success, as the table describes it. */
type JsonBodyOf<R extends RouteSpec> = {
  [S in keyof R["responses"]]: R["responses"][S] extends { content: "json"; schema: infer Z extends z.ZodType } ? z.input<Z> : never;
}[keyof R["responses"]];

interface BaseContext {
  req: ApiRequest;
  /** Aborts when the client goes away before the answer. */
  signal: AbortSignal;
  query: URLSearchParams;
  services: Services;
  requestId: string;
}

export type KeyedContext<R extends RouteSpec> = BaseContext & { params: ParamsOf<R>; key: VerifiedKey };
/** No key, no parameter checks: such a route (the callback) answers bad input its own way. */
export type PublicContext<R extends RouteSpec> = BaseContext & { params: RawParamsOf<R> };

type Handler<R extends RouteSpec> = (ctx: R["scopes"] extends null ? PublicContext<R> : KeyedContext<R>) => Promise<Response | JsonBodyOf<R>>;

/**
 * A /v1 route handler from its table entry: the key and scope policy come
 * from the table, then the path parameters are checked with its schemas (a
 * VALIDATION error after 401, 403 and 429, as the contract orders them), and
 * no path parameter or query value may hold a NUL character (PostgreSQL
 * refuses it in text, which would make it a 500 wherever it is stored).
 * Query and body are the domain's to check, because the contract wants a
 * missing project's 404 before their 400. A handler may return the success
 * body itself; it is sent with the table's success status.
 */
export function route<R extends RouteSpec>(spec: R, handler: Handler<R>, opts: { onError?: (error: unknown, requestId: string) => Response } = {}): RouteHandler {
  const successStatus = Number(Object.entries(spec.responses).find(([, response]) => response.content === "json")?.[0] ?? 200);
  const reply = (result: Response | JsonBodyOf<R>): Answer => (result instanceof Response ? result : jsonAnswer(result, successStatus));
  // The context's type depends on `spec.scopes`, which TypeScript cannot narrow through the branch below.
  const call = handler as (ctx: PublicContext<R> | KeyedContext<R>) => Promise<Response | JsonBodyOf<R>>;

  const served = spec.scopes
    ? withApiKey<Record<string, string>>({ scopes: spec.scopes }, async ({ req, url, params, key, services, requestId, signal }) => {
        const query = refuseNul(url, params);
        const parsed = spec.params ? spec.params.safeParse(params) : { success: true as const, data: {} };
        if (!parsed.success) throw validationError(zodIssues(parsed.error));
        return reply(await call({ req, signal, query, params: parsed.data as ParamsOf<R>, key, services, requestId }));
      })
    : withRequestLog<Record<string, string>>(
        async (req, params, services, { requestId, url, signal }) => {
          const query = refuseNul(url, params);
          return reply(await call({ req, signal, query, params: params as RawParamsOf<R>, services, requestId }));
        },
        opts,
      );
  return Object.assign(served as WebRouteHandler<Record<string, string | string[]>>, { route: spec });
}

/** A NUL anywhere in the path parameters or the query is a VALIDATION error, named by where it is. Returns the query. */
function refuseNul(url: URL, params: Record<string, string | string[]>): URLSearchParams {
  const inPath = findNul(params);
  if (inPath !== null) throw validationError([{ path: inPath, message: "must not contain a NUL character" }]);
  const query = url.searchParams;
  const inQuery = findNul(query, "query");
  if (inQuery !== null) throw validationError([{ path: inQuery, message: "must not contain a NUL character" }]);
  return query;
}
