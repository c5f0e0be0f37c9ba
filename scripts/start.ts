/**
 * `npm start`: check the environment, build when no build exists or the
 * sources changed since it, then serve (scripts/serve.ts: a node:http front
 * over Next's request handler). Migrations and first-start seeding run
 * inside the server (instrumentation.ts), the one process that holds the
 * database.
 *
 * Every check that can refuse the start runs before anything is written
 * (the embedded data dir, its generated secrets, a build), and each refusal
 * is one line: Node too old (requireNode), a bad variable, the port taken,
 * the data dir held by another server.
 */
import "@/server/runtime/requireNode";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { configOrExit, envOrExit } from "@/server/cli/config";
import { isEmbedded } from "@/server/env";
import { buildIfStale } from "./buildState";
import { serverNodeFlags } from "./serverFlags";

const env = envOrExit();
const port = Number(process.env.PORT || 3000);

const refuse = (line: string) => {
  process.stderr.write(`Layers Connect could not start: ${line}\n`);
  process.exit(1);
};

/** Binds the port the server will bind (every interface) and lets it go again. */
function portIsFree(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

if (!(await portIsFree())) refuse(`port ${port} is already in use (another server?). Stop it, or set PORT to use another, e.g. PORT=3001 npm start.`);

if (isEmbedded(env) && existsSync(env.dataDir)) {
  const held = await lockfile.check(env.dataDir, { lockfilePath: join(env.dataDir, "db.lock"), stale: 10_000, realpath: false });
  if (held) refuse(`the embedded database in ${env.dataDir} is in use by another process (a server already running?). Stop it, or use another LAYERS_DATA_DIR.`);
}

// Only now may the embedded data dir get its generated secrets.
configOrExit();

const built = buildIfStale(process.cwd());
if (built !== 0) process.exit(built);

// The server runs in a process of its own (its front is plain node:http, see
// scripts/serve.ts), under the same Node, in production mode.
const server = spawn(process.execPath, [...serverNodeFlags(), join(process.cwd(), "scripts", "serve.ts")], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
