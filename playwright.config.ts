import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download is not available here.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Two suites over one build (made once, in globalSetup): `e2e` drives
 * Chromium through the product as people use it; `security` (npm run
 * test:security) attacks a running instance over HTTP, one file per promise
 * of the hardening issue. The security suite runs twice: through the front
 * `npm start` runs (scripts/serve.ts, which dispatches /v1 itself) and, as
 * `security-next`, through bare `next start` (Next's router and proxy.ts).
 * The project's `metadata.front` tells startInstance() which to start
 * (e2e/support/layers.ts). Tests tagged FRONT_ONLY test what only the front
 * does (the socket's address, Node's parser errors, the access log) and are
 * left out of `security-next`; fronts.spec.ts starts both fronts itself and
 * compares their answers, so it runs in `security` only.
 */
const FRONT_ONLY = /@front-only/;

export default defineConfig({
  projects: [
    { name: "e2e", testDir: "./e2e" },
    { name: "security", testDir: "./security", metadata: { front: "front" } },
    { name: "security-next", testDir: "./security", metadata: { front: "next" }, grepInvert: FRONT_ONLY, testIgnore: "fronts.spec.ts" },
    // npm run test:faults: its own PostgreSQL and Redis, stopped and frozen on purpose.
    { name: "faults", testDir: "./faults" },
  ],
  globalSetup: "./e2e/support/globalSetup.ts",
  fullyParallel: false,
  // Two spec files at a time (each starts its own servers): they keep both cores busy (three took
  // as long: 10.8 min against 10.6 on the CI machine). The fault suite runs one file at a time (its script).
  workers: 2,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  retries: 0,
  use: {
    headless: true,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath,
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
});
