#!/usr/bin/env node
// `ladmin`, the admin CLI (CONTRACT.md §5). The CLI is TypeScript: tsx
// compiles it on load, with this repository's tsconfig so `@/` imports
// resolve whatever the caller's working directory.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const REQUIRED_MAJOR = 24;
const root = fileURLToPath(new URL("..", import.meta.url));

// `npx` puts the system Node first on PATH; the project's runtime is the one
// `npm install` brought into node_modules. Run under it when this is older.
if (Number(process.versions.node.split(".")[0]) < REQUIRED_MAJOR) {
  const projectNode = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
  if (!existsSync(projectNode)) {
    process.stderr.write(`ladmin needs Node.js ${REQUIRED_MAJOR} or newer (this is ${process.version}): run npm install first, which brings it.\n`);
    process.exit(1);
  }
  const child = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const { register } = await import("tsx/esm/api");
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });

// Run where `npm start` runs: in the project root. The migrations folder and
// the default data dir (./.data) are relative to it, so `npx ladmin` from a
// subdirectory opens the server's database, not a new one beside the caller.
process.chdir(root);

await import("../server/cli/ladmin.ts");
