import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    globalSetup: ["./test-support/globalSetup.ts"],
    // Worker processes (not threads): PGlite's WASM and the database pools
    // stay apart per worker.
    pool: "forks",
    // A worker runs its files one after another in one module graph rather
    // than re-importing everything per file (next, drizzle, PGlite, pg-boss:
    // about 2.7 s a file here). Files share no state: each makes its own
    // database (an in-memory PGlite, or a pool to the shared PostgreSQL) and
    // services. With isolation the suite took 447 s on the 2-core CI
    // machine, without it 220 s, the same 1,283 tests passing.
    isolate: false,
    // Against PostgreSQL the files wait on the server and sockets as much as
    // they compute (two workers kept 1.06 of the 2 cores busy): four at once
    // took 174 s instead of 220. Embedded, PGlite computes in each worker:
    // four took longer than two (263 s against 252).
    maxWorkers: process.env.DATABASE_URL ? 4 : 2,
    // next-auth imports `next/server` without an extension, which Node's ESM
    // resolver refuses; run through Vite's resolver, it loads.
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
