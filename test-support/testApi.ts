import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

type Params = Record<string, string | string[]>;
export type Handler = (req: Request, ctx: { params: Promise<Params> }) => Promise<Response>;

interface RouteEntry {
  method: string;
  pattern: RegExp;
  names: Array<{ name: string; rest: boolean }>;
  handler: Handler;
}

const root = join(import.meta.dirname, "..");

/**
 * The app/ route module that serves a URL pattern, as Next's file routing
 * maps it: `:name` is a `[name]` folder, `*name` a `[...name]` catch-all.
 * A trailing slash (TikTok's paths have one) names no folder.
 */
export function appRouteFile(path: string): string {
  const folders = path
    .split("/")
    .filter(Boolean)
    .map((segment) => (segment.startsWith(":") ? `[${segment.slice(1)}]` : segment.startsWith("*") ? `[...${segment.slice(1)}]` : segment));
  return join(root, "app", ...folders, "route.ts");
}

/** The exports of the app/ route module that serves a URL pattern. */
export async function routeModule(path: string): Promise<Record<string, Handler>> {
  return (await import(appRouteFile(path))) as Record<string, Handler>;
}

/**
 * The app's route handlers behind a real node:http server, so integration
 * tests speak HTTP (status lines, headers, bodies) to the same code `next
 * start` runs, without a build. `mount` loads a handler from the file Next
 * would route the path to, so a test server cannot disagree with the app/
 * tree about where a route lives.
 */
export class TestApi {
  private readonly routes: RouteEntry[] = [];
  private server?: Server;
  url = "";

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
      this.dispatch(incoming)
        .then(async (response) => {
          outgoing.writeHead(response.status, Object.fromEntries(response.headers));
          outgoing.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => {
          outgoing.writeHead(599);
          outgoing.end(String(error));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async dispatch(incoming: IncomingMessage): Promise<Response> {
    const url = new URL(incoming.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
    const method = incoming.method ?? "GET";
    const request = new Request(url, { method, headers, body: chunks.length && method !== "GET" ? Buffer.concat(chunks) : undefined });
    for (const route of this.routes) {
      const match = route.method === method && route.pattern.exec(url.pathname);
      if (match) {
        const params = Object.fromEntries(
          route.names.map(({ name, rest }, i) => [name, rest ? match[i + 1]!.split("/").map(decodeURIComponent) : decodeURIComponent(match[i + 1]!)]),
        );
        return route.handler(request, { params: Promise.resolve(params) });
      }
    }
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
