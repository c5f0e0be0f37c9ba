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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
