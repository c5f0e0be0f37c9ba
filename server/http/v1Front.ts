import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { newId } from "@/db/ids";
import { type RouteFileHandler, type RouteFileModule, V1_CATCH_ALL } from "../contract/routeFiles";
import { HTTP_METHODS, type HttpMethod, ROUTES } from "../contract/routes";
import { AppError, errorBodyOf } from "../errors";
import { log } from "../log";
import type { Answer, ApiRequest, BodyReader, RequestHeaders } from "./answer";
import { jsonText } from "./jsonText";
import { discardUnread } from "./limitedBody";
import { logRoute } from "./logRoute";
import { securityHeadersFor } from "./securityHeaders";
import { refusalBody, requestIdFor, type V1Refusal, v1Refusal } from "./v1Guard";

/**
 * /v1 without Next's router: a node:http request goes through the route
 * table straight to the handler its route file exports, the same function
 * `next start` would call one layer down: its answer-level handler
 * (http/answer.ts), given a view over the IncomingMessage rather than a Web
 * Request, whose JSON answer is written to the socket as it is.
 * Matching follows Next's file routing over the table's paths: a path the
 * table has goes to that route file (whose other methods answer 405), any
 * other /v1 path to the catch-all (the JSON 404). HEAD is GET without a body,
 * as Next answers it. The headers next.config.ts gives every answer are set
 * here too, so both paths answer alike (security/fronts.spec.ts compares them).
 *
 * What no route can serve (bad encoding, empty or dot segments, unknown
 * methods: v1Guard.ts) is refused first, as proxy.ts refuses it under Next.
 * Used by scripts/serve.ts (`npm start`) and by the test harness's server.
 */
export interface V1Front {
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Mounted {
  pattern: RegExp;
  names: Array<{ name: string; rest: boolean }>;
  /** Static segments: Next prefers a static segment to a dynamic one at the same place. */
  staticSegments: number;
  module: RouteFileModule;
}

/** Loads the route file that serves a table path (`:name` and `*name` segments, see appRouteFile). */
export type RouteFileLoader = (path: string) => Promise<RouteFileModule>;

/** Mounts every route file now, so a missing export fails the start rather than a request. */
export async function createV1Front(load: RouteFileLoader): Promise<V1Front> {
  const paths = [...new Set(ROUTES.map((route) => route.path)), V1_CATCH_ALL];
  const mounted = await Promise.all(paths.map(async (path) => mount(path, checked(path, await load(path)))));
  mounted.sort((a, b) => b.staticSegments - a.staticSegments || Number(a.names.some((n) => n.rest)) - Number(b.names.some((n) => n.rest)));

  return {
    async serve(req, res) {
      const url = req.url ?? "/";
      const refusal = v1Refusal(req.method ?? "GET", url);
      if (refusal) return refuse(req, res, refusal);
      const method = req.method === "HEAD" ? "GET" : (req.method as HttpMethod);
      const pathname = pathOf(url);
      try {
        for (const route of mounted) {
          const match = route.pattern.exec(pathname);
          if (!match) continue;
          const answer = route.module[method]?.answer;
          if (!answer) throw new Error(`the route file for ${pathname} exports no ${method}`);
          const params: Record<string, string | string[]> = {};
          route.names.forEach(({ name, rest }, i) => {
            params[name] = rest ? match[i + 1]!.split("/").map(decodeURIComponent) : decodeURIComponent(match[i + 1]!);
          });
          const signal = abortedOnClose(res);
          const request = new NodeRequest(req);
          const result = await answer(request, { params: Promise.resolve(params), signal });
          discardUnread(request);
          await writeAnswer(req, res, result);
          return;
        }
        throw new Error(`no route file serves ${pathname}`);
      } catch (error) {
        // Handlers answer their own errors; this is for a fault in the front itself.
        log.error("front: could not answer a /v1 request", { error: error instanceof Error ? error.message : String(error) });
        if (res.headersSent) return void res.destroy();
        const requestId = String(req.headers["x-request-id"] ?? "");
        const body = jsonText(errorBodyOf(new AppError("INTERNAL", "Something went wrong on our side."), requestId));
        res.writeHead(500, { ...securityHeadersFor(pathname), "Content-Type": "application/json", "Cache-Control": "no-store" }).end(body);
      }
    },
  };
}

/**
 * Each handler must have been made from the table entry it is mounted for
 * (`route()` tags it with its entry). A handler from an older build than the
 * sources fails here, at start, instead of answering by an outdated contract.
 */
function checked(path: string, module: RouteFileModule): RouteFileModule {
  for (const method of HTTP_METHODS) {
    if (module[method] && !module[method].answer) throw new Error(`the ${method} handler for ${path} was not made by route() or withRequestLog(): the front cannot call it`);
  }
  for (const route of ROUTES.filter((entry) => entry.path === path)) {
    const made = (module[route.method] as (RouteFileHandler & { route?: { id?: string } }) | undefined)?.route;
    if (made?.id !== route.id) {
      throw new Error(`the handler for ${route.method} ${path} is not the table's ${route.id} (it is ${made?.id ?? "missing"}): is the build older than the sources? Run \`npm run build\`.`);
    }
  }
  return module;
}

function mount(path: string, module: RouteFileModule): Mounted {
  const names: Mounted["names"] = [];
  let staticSegments = 0;
  const source = path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":") || segment.startsWith("*")) {
        names.push({ name: segment.slice(1), rest: segment.startsWith("*") });
        return segment.startsWith("*") ? "(.+)" : "([^/]+)";
      }
      if (segment) staticSegments++;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { pattern: new RegExp(`^${source}$`), names, staticSegments, module };
}

/** Aborts when the client goes away before the answer is done (the long-poll ends on it). */
export function abortedOnClose(res: ServerResponse): AbortSignal {
  const aborter = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort();
  });
  return aborter.signal;
}

const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

const hasBody = (req: IncomingMessage) =>
  (req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined) && req.method !== "GET" && req.method !== "HEAD";

/**
 * What a handler reads of a node request (http/answer.ts): the headers as
 * node parsed them (repeated ones joined as a Web Request joins them), and
 * the body straight from node's stream (`takeBody`), or as a Web stream
 * made only if a handler asks for one.
 */
class NodeRequest implements ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: RequestHeaders;
  private stream: ReadableStream<Uint8Array> | null | undefined;
  private taken = false;

  constructor(private readonly incoming: IncomingMessage) {
    const raw = incoming.headers;
    this.method = incoming.method ?? "GET";
    // No handler reads the host (public URLs come from LAYERS_PUBLIC_URL); one that is not a plain name could not be parsed at all.
    this.url = `http://${raw.host && PLAIN_HOST.test(raw.host) ? raw.host : "localhost"}${incoming.url ?? "/"}`;
    this.headers = {
      get(name) {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    };
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.stream === undefined) {
      this.stream = hasBody(this.incoming) && !this.taken ? (Readable.toWeb(this.incoming) as ReadableStream<Uint8Array>) : null;
      this.taken = true;
    }
    return this.stream;
  }

  takeBody(): BodyReader | null {
    if (this.taken || !hasBody(this.incoming)) return null;
    this.taken = true;
    const chunks = this.incoming[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    return { read: () => chunks.next(), cancel: () => chunks.return?.() ?? Promise.resolve() };
  }
}

/**
 * The Web Request a route handler expects (the test harness's other routes). It has no signal of its own:
 * undici links a Request's signal to a new one (about 10 µs on every
 * request), and only long-polls use it, so handlers get the `signal` above
 * in their context instead (http/route.ts). The body streams from the
 * socket, so the handler's byte limit still judges it on the way in.
 */
export function webRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const name in req.headers) {
    const value = req.headers[name];
    if (typeof value === "string") headers.append(name, value);
    else if (value) for (const one of value) headers.append(name, one);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers };
  if (hasBody(req)) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, init);
}

/**
 * Writes a handler's answer: its status and headers with the site-wide ones,
 * its body whole (every /v1 answer is small). As under `next start`, the
 * site-wide headers win over a handler's own of the same name (Next keeps a
 * header its config set); a stricter policy is set by path (securityHeaders.ts).
 */
export async function writeAnswer(req: IncomingMessage, res: ServerResponse, answer: Answer): Promise<void> {
  const headers: OutgoingHttpHeaders = { ...securityHeadersFor(pathOf(req.url ?? "/")) };
  if (!(answer instanceof Response)) {
    for (const name in answer.headers) if (headers[name] === undefined) headers[name] = answer.headers[name];
    headers["content-length"] = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, headers);
    res.end(req.method === "HEAD" ? undefined : answer.body);
    return;
  }
  const response = answer;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie" && headers[name] === undefined) headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  if (body && headers["content-length"] === undefined) headers["content-length"] = body.byteLength;
  res.writeHead(response.status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** The contract's answer to a request no route can serve, with its log line (handlers log their own). */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: V1Refusal): void {
  const requestId = requestIdFor(req.headers["x-request-id"], () => newId("req"));
  const headers: OutgoingHttpHeaders = { ...securityHeadersFor(pathOf(req.url ?? "/")), "content-type": "application/json", "cache-control": "no-store", "x-request-id": requestId };
  if (refusal.allow) headers.allow = refusal.allow;
  res.writeHead(refusal.status, headers);
  res.end(req.method === "HEAD" ? undefined : jsonText(refusalBody(refusal, requestId)));
  const method = (req.method ?? "").slice(0, 20);
  log.info("request", { requestId, method, route: logRoute(req.url ?? "/"), status: refusal.status, durationMs: 0 });
}
