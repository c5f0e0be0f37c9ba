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
    // next-auth imports `next/server` without an extension, which Node's ESM
    // resolver refuses; run through Vite's resolver, it loads.
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
