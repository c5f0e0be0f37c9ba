import { spawnSync } from "node:child_process";

/**
 * The e2e suites run `next start`, so they need a build of the current code,
 * and the seed-snippet spec serves the TypeScript SDK's build to a page.
 * Set E2E_SKIP_BUILD=1 to reuse an existing .next when iterating (the SDK,
 * a few seconds, is built every time).
 */
export default function globalSetup() {
  const sdk = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "sdk/typescript"], { stdio: "inherit" });
  if (sdk.status !== 0) throw new Error("the TypeScript SDK's build failed");
  if (process.env.E2E_SKIP_BUILD === "1") return;
  const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error("next build failed");
}
