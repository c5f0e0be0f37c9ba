import { spawnSync } from "node:child_process";

/**
 * The e2e suites run `next start`, so they need a build of the current code.
 * Set E2E_SKIP_BUILD=1 to reuse an existing .next when iterating.
 */
export default function globalSetup() {
  if (process.env.E2E_SKIP_BUILD === "1") return;
  const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error("next build failed");
}
