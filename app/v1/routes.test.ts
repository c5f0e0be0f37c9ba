import { readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { HTTP_METHODS, ROUTES } from "@/server/contract/routes";
import { appRouteFile } from "@/test-support/testApi";

/**
 * The route table and the app/v1 tree describe the same routes: every
 * route file is at a table path and serves exactly the table's methods
 * there (the others are 405 handlers), and every table route has its file.
 */
const v1 = join(import.meta.dirname);
// The JSON 404 for every path the table does not have.
const FALLBACK = join(v1, "[...path]", "route.ts");

const routeFiles = readdirSync(v1, { recursive: true, encoding: "utf8" })
  .filter((file) => file === "route.ts" || file.endsWith(`${sep}route.ts`))
  .map((file) => join(v1, file))
  .filter((file) => file !== FALLBACK);

const tablePaths = [...new Set(ROUTES.map((route) => route.path))];

describe("route table ↔ app/v1 route files", () => {
  it("finds the route files", () => {
    expect(routeFiles.length).toBeGreaterThanOrEqual(5);
  });

  it("has a table path for every route file, and a route file for every table path", () => {
    expect(routeFiles.sort()).toEqual(tablePaths.map(appRouteFile).sort());
  });

  it.each(tablePaths)("%s: the file serves exactly the table's methods, each with its table entry", async (path) => {
    const module = (await import(appRouteFile(path))) as Record<string, unknown>;
    const served = ROUTES.filter((route) => route.path === path);
    for (const method of HTTP_METHODS) {
      const handler = module[method] as { route?: unknown; allow?: unknown } | undefined;
      const entry = served.find((route) => route.method === method);
      if (entry) {
        expect(handler?.route, `${method} ${path} is in the table: the file must export it through route(routes.${entry.id}, ...)`).toBe(entry);
      } else {
        expect(handler?.allow, `${method} ${path} is not in the table: the file must answer it with otherMethods()`).toEqual(served.map((r) => r.method));
      }
    }
    const unknown = Object.keys(module).filter((name) => !(HTTP_METHODS as readonly string[]).includes(name));
    expect(unknown).toEqual([]);
  });

  it("gives every route a unique id and a unique method + path", () => {
    expect(new Set(ROUTES.map((route) => route.id)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((route) => `${route.method} ${route.path}`)).size).toBe(ROUTES.length);
  });
});
