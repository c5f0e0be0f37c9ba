import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The e2e suites run `next start`, so they need a build of the current code,
 * and the seed-snippet spec serves the TypeScript SDK's build to a page.
 * Set E2E_SKIP_BUILD=1 to reuse an existing .next when iterating (the SDK,
 * a few seconds, is built every time).
 */
export default function globalSetup() {
  const sdk = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "sdk/typescript"], { stdio: "inherit" });
  if (sdk.status !== 0) throw new Error("the TypeScript SDK's build failed");
  migratedTemplate();
  if (process.env.E2E_SKIP_BUILD === "1") return;
  const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error("next build failed");
}

/**
 * An embedded database migrated once, which freshDataDir() copies into each
 * instance's data dir (e2e/support/processes.ts): every instance would
 * otherwise migrate its own from nothing (`npm run db:migrate` makes it).
 */
function migratedTemplate() {
  const dir = mkdtempSync(join(tmpdir(), "layers-e2e-template-"));
  const env: Record<string, string | undefined> = { ...process.env, LAYERS_DATA_DIR: dir };
  for (const name of ["DATABASE_URL", "REDIS_URL", "LAYERS_ENCRYPTION_KEY", "AUTH_SECRET"]) delete env[name];
  const made = spawnSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { env: env as NodeJS.ProcessEnv, encoding: "utf8" });
  if (made.status !== 0) throw new Error(`could not make the migrated database template: ${made.stderr}`);
  process.env.E2E_PGLITE_TEMPLATE = join(dir, "pglite");
}
