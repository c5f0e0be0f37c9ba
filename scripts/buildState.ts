/**
 * Whether the `next build` output is older than the sources it was built
 * from: `npm start` rebuilds then, instead of serving yesterday's code.
 * Tests, docs and the SDKs are not part of the build and never count.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** What `next build` reads: the app, the server code it bundles, the schema, the config. */
const SOURCE_DIRS = ["app", "server", "db", "public"];
const SOURCE_FILES = ["next.config.ts", "tsconfig.json", "package-lock.json", "proxy.ts", "instrumentation.ts"];
const NOT_BUILT = /\.(test|spec)\.[cm]?[jt]sx?$|\.md$/;

/** The newest source file changed after the build (relative to `root`), or null when the build is current. */
export function newerSource(root: string, buildIdFile: string): string | null {
  const builtAt = statSync(buildIdFile).mtimeMs;
  let newest: { path: string; mtimeMs: number } | null = null;
  const consider = (path: string) => {
    const { mtimeMs } = statSync(path);
    if (mtimeMs > builtAt && (!newest || mtimeMs > newest.mtimeMs)) newest = { path, mtimeMs };
  };
  for (const file of SOURCE_FILES) {
    const path = join(root, file);
    if (exists(path)) consider(path);
  }
  for (const dir of SOURCE_DIRS) {
    const top = join(root, dir);
    if (!exists(top)) continue;
    for (const entry of readdirSync(top, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && !NOT_BUILT.test(entry.name)) consider(join(entry.parentPath, entry.name));
    }
  }
  return newest ? relative(root, (newest as { path: string }).path) : null;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
