/**
 * `npm start`: check the environment, build when no build exists, then serve
 * (scripts/serve.ts: a node:http front over Next's request handler). Migrations and first-start seeding run inside the server
 * (instrumentation.ts), the one process that holds the database.
 */
import "@/server/runtime/requireNode";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { configOrExit } from "@/server/cli/config";
import { isEmbedded } from "@/server/env";
import { serverNodeFlags } from "./serverFlags";

const config = configOrExit();
const nextBin = join(process.cwd(), "node_modules", "next", "dist", "bin", "next");

if (isEmbedded(config) && existsSync(config.dataDir)) {
  const held = await lockfile.check(config.dataDir, { lockfilePath: join(config.dataDir, "db.lock"), stale: 10_000, realpath: false });
  if (held) {
    process.stderr.write(
      `The embedded database in ${config.dataDir} is in use by another process (a server already running?). Stop it, or use another LAYERS_DATA_DIR.\n`,
    );
    process.exit(1);
  }
}

if (!existsSync(join(process.cwd(), process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) {
  process.stdout.write("No build found: running `next build` once (about a minute)...\n");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// The server runs in a process of its own (its front is plain node:http, see
// scripts/serve.ts), under the same Node, in production mode.
const server = spawn(process.execPath, [...serverNodeFlags(), join(process.cwd(), "scripts", "serve.ts")], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
