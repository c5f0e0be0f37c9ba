/**
 * Whether the `next build` output is older than the sources it was built
 * from: `npm start` rebuilds then, instead of serving yesterday's code.
 * Tests, docs and the SDKs are not part of the build and never count.
 */
import { spawnSync } from "node:child_process";
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

/**
 * Runs `next build` when there is no build in NEXT_DIST_DIR (default .next)
 * or a source is newer than it; says why first. Returns the build's exit
 * status (0 when nothing needed doing).
 */
export function buildIfStale(root: string): number {
  const buildId = join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  const changed = exists(buildId) ? newerSource(root, buildId) : null;
  if (exists(buildId) && !changed) return 0;
  const why = changed ? `The sources changed since the last build (${changed} is newer)` : "No build found";
  process.stdout.write(`${why}: running \`next build\` (about a minute)...\n`);
  const build = spawnSync(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  return build.status ?? 1;
}
