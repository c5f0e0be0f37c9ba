import { join } from "node:path";
import type { WebRouteHandler } from "../http/requestLog";
import type { HttpMethod } from "./routes";

/**
 * Where Next's file routing serves a table path from, so that anything that
 * mounts route files itself (the production front, the test harness) cannot
 * disagree with the app/ tree. This names files; it imports none (server/
 * never imports app/: whoever loads them passes the loader in).
 */

/** The catch-all route file under /v1 (app/v1/[...path]/route.ts): the JSON 404 for paths no table entry has. */
export const V1_CATCH_ALL = "/v1/*path";

/**
 * What a route file exports: one handler per method, with Next's
 * route-handler signature, carrying the answer-level handler beneath it
 * that the /v1 front calls (http/requestLog.ts; the front adds `signal`).
 */
export type RouteFileHandler = WebRouteHandler<Record<string, string | string[]>>;
export type RouteFileModule = Partial<Record<HttpMethod, RouteFileHandler>>;

/**
 * The app/ folders of the route file that serves a URL pattern, as Next's
 * file routing maps it: `:name` is a `[name]` folder, `*name` a `[...name]`
 * catch-all. A trailing slash (TikTok's paths have one) names no folder.
 */
export function routeFolders(path: string): string[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((segment) => (segment.startsWith(":") ? `[${segment.slice(1)}]` : segment.startsWith("*") ? `[...${segment.slice(1)}]` : segment));
}

/** The route module's file under `root` (the project). */
export function appRouteFile(root: string, path: string): string {
  return join(root, "app", ...routeFolders(path), "route.ts");
}
