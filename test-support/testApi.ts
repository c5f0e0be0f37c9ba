import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { appRouteFile as routeFileUnder, type RouteFileModule } from "@/server/contract/routeFiles";
import { isV1Target } from "@/server/http/v1Guard";
import { discardUnread } from "@/server/http/limitedBody";
import { abortedOnClose, createV1Front, type V1Front, webRequest, writeAnswer } from "@/server/http/v1Front";

type Params = Record<string, string | string[]>;
export type Handler = (req: Request, ctx: { params: Promise<Params>; signal?: AbortSignal }) => Promise<Response>;

interface RouteEntry {
  method: string;
  pattern: RegExp;
  names: Array<{ name: string; rest: boolean }>;
  handler: Handler;
}

const root = join(import.meta.dirname, "..");

/**
 * How the harness serves /v1 (LAYERS_TEST_V1): "front" (default) the
 * production front over the route files' sources, no build needed; "next"
 * Next's own router over the build; "built-front" the production front over
 * the build's compiled handlers, exactly as `npm start` serves (what only
 * the build has, such as two copies of a module, shows up here).
 */
const V1_PATH = process.env.LAYERS_TEST_V1 ?? "front";
if (!["front", "next", "built-front"].includes(V1_PATH)) throw new Error(`LAYERS_TEST_V1 must be front, next or built-front (got "${V1_PATH}")`);

/**
 * `next start`'s request handler in this process, over the build in
 * NEXT_DIST_DIR (default .next): its route modules are compiled copies of
 * the server code, which reach this process's services and log sink through
 * globalThis (server/services.ts, server/log.ts). Made once per process.
 */
function nextRouter(): Promise<V1Front> {
  const holder = globalThis as unknown as { __layersTestNext?: Promise<V1Front> };
  holder.__layersTestNext ??= (async () => {
    const { default: next } = await import("next");
    const app = next({ dev: false, dir: root, customServer: true });
    await app.prepare();
    const handle = app.getRequestHandler();
    return { serve: (req: IncomingMessage, res: ServerResponse) => handle(req, res) };
  })();
  return holder.__layersTestNext;
}

/** The front over the build's compiled handlers, after Next's server is prepared, as scripts/serve.ts starts it. */
async function builtFront(): Promise<V1Front> {
  await nextRouter();
  const { loadV1Front } = await import("@/scripts/v1Routes");
  return loadV1Front(join(root, process.env.NEXT_DIST_DIR || ".next"));
}

/** The app/ route file that serves a URL pattern (see server/contract/routeFiles.ts). */
export const appRouteFile = (path: string): string => routeFileUnder(root, path);

/** The exports of the app/ route module that serves a URL pattern. */
export async function routeModule(path: string): Promise<Record<string, Handler>> {
  return (await import(appRouteFile(path))) as Record<string, Handler>;
}

/**
 * The app's route handlers behind a real node:http server, so integration
 * tests speak HTTP (status lines, headers, bodies) to the same code `next
 * start` runs, without a build. With `mountV1`, /v1 is served by the
 * production front (server/http/v1Front.ts, what `npm start` runs) over the
 * route files' handlers from source; other paths by what `route` and
 * `mount` add. `mount` loads a handler from the file Next would route the
 * path to, so a test server cannot disagree with the app/ tree about where a
 * route lives.
 */
export class TestApi {
  private readonly routes: RouteEntry[] = [];
  private server?: Server;
  private v1?: V1Front;
  url = "";

  /**
   * /v1 through the production front: every route in the table, from its
   * route file's sources; with LAYERS_TEST_V1 (see V1_PATH), through Next's
   * router or the front over the build, so the same tests prove every path
   * answers alike (`npm run test:built`).
   */
  async mountV1() {
    if (V1_PATH === "next") this.v1 = await nextRouter();
    else if (V1_PATH === "built-front") this.v1 = await builtFront();
    else this.v1 = await createV1Front(async (path) => (await import(appRouteFile(path))) as RouteFileModule);
    return this;
  }

  /** Serves `handler` at `path`: `:name` matches one segment, `*name` the rest (as an array, like Next's catch-all). */
  route(method: string, path: string, handler: unknown) {
    const names: RouteEntry["names"] = [];
    const pattern = new RegExp(
      "^" +
        path.replace(/([:*])(\w+)/g, (_, kind: string, name: string) => {
          names.push({ name, rest: kind === "*" });
          return kind === "*" ? "(.+)" : "([^/]+)";
        }) +
        "$",
    );
    this.routes.push({ method, pattern, names, handler: handler as Handler });
    return this;
  }

  /** Serves the `method` export of the route file that `path` maps to, optionally wrapped. */
  async mount(method: string, path: string, wrap: (handler: Handler) => Handler = (handler) => handler) {
    const file = appRouteFile(path);
    const module = (await import(file)) as Record<string, Handler | undefined>;
    const handler = module[method];
    if (!handler) throw new Error(`${file} exports no ${method} handler for ${path}`);
    return this.route(method, path, wrap(handler));
  }

  async listen() {
    this.server = createServer((incoming, outgoing) => {
      if (this.v1 && isV1Target(incoming.url ?? "/")) return void this.v1.serve(incoming, outgoing);
      this.dispatch(incoming, abortedOnClose(outgoing))
        .then((response) => writeAnswer(incoming, outgoing, response))
        .catch((error: unknown) => {
          outgoing.writeHead(599);
          outgoing.end(String(error));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async dispatch(incoming: IncomingMessage, signal: AbortSignal): Promise<Response> {
    const request = webRequest(incoming);
    const { pathname } = new URL(request.url);
    const method = incoming.method === "HEAD" ? "GET" : (incoming.method ?? "GET");
    for (const route of this.routes) {
      const match = route.method === method && route.pattern.exec(pathname);
      if (match) {
        const params = Object.fromEntries(
          route.names.map(({ name, rest }, i) => [name, rest ? match[i + 1]!.split("/").map(decodeURIComponent) : decodeURIComponent(match[i + 1]!)]),
        );
        const response = await route.handler(request, { params: Promise.resolve(params), signal });
        discardUnread(request);
        return response;
      }
    }
    discardUnread(request);
    return new Response("no route", { status: 404 });
  }

  async close() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Reads a reply as status, headers, raw text and parsed JSON (undefined when it is not JSON). */
export async function readAnswer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}
