#!/usr/bin/env node
// `ladmin`, the admin CLI (CONTRACT.md §5). The CLI is TypeScript: tsx
// compiles it on load, with this repository's tsconfig so `@/` imports
// resolve whatever the caller's working directory.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = fileURLToPath(new URL("..", import.meta.url));
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });

// Run where `npm start` runs: in the project root. The migrations folder and
// the default data dir (./.data) are relative to it, so `npx ladmin` from a
// subdirectory opens the server's database, not a new one beside the caller.
process.chdir(root);

await import("../server/cli/ladmin.ts");
