import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    globalSetup: ["./test-support/globalSetup.ts"],
    // Each file gets its own process: an in-memory PGlite per file, or a pool
    // to the shared PostgreSQL.
    pool: "forks",
    // Every core (Vitest's default leaves one for itself): the files wait on
    // databases and sockets as much as they compute; on 2 cores 1m42 instead of 2m29.
    maxWorkers: "100%",
    // next-auth imports `next/server` without an extension, which Node's ESM
    // resolver refuses; run through Vite's resolver, it loads.
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
