/**
 * The /v1 front for scripts/serve.ts, which bundles this file with esbuild
 * when it starts (it uses `@/` paths and TypeScript, which Node's type
 * stripping cannot load). The route table comes from the sources; the
 * handlers are the route files' exports as `next build` compiled them, the
 * very functions `next start` calls for the same paths (loaded from the
 * build, so the process holds one copy of the server code, not two).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { type RouteFileModule, routeFolders } from "@/server/contract/routeFiles";
import { createV1Front } from "@/server/http/v1Front";

export type { V1Front } from "@/server/http/v1Front";

/** Next's compiled route module: its `routeModule.userland` is the route file's exports. */
interface CompiledRoute {
  routeModule?: { ensureUserland?: () => Promise<void>; userland?: RouteFileModule };
}

export async function loadV1Front(distDir: string) {
  const require = createRequire(import.meta.url);
  return createV1Front(async (path) => {
    const file = join(distDir, "server", "app", ...routeFolders(path), "route.js");
    const compiled = require(file) as CompiledRoute;
    await compiled.routeModule?.ensureUserland?.();
    const userland = compiled.routeModule?.userland;
    if (!userland) throw new Error(`${file} is not a route module this version of the front can load (Next ${process.env.__NEXT_VERSION ?? "?"})`);
    return userland;
  });
}
