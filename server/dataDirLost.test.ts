import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "./env";
import { resolveSecrets } from "./secrets";
import { openProcessDatabase } from "./services";

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function embeddedEnv(dataDir: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, LAYERS_ENCRYPTION_KEY: _key, AUTH_SECRET: _secret, ...env } = process.env;
  return { ...env, LAYERS_DATA_DIR: dataDir };
}

describe("the embedded data dir deleted under a running server", () => {
  // proper-lockfile touches its lock file every 3 s (its interval cannot be shorter than 1 s), so this waits for that event, bounded
  // by the test timeout, which also covers opening PGlite and migrating: seconds alone, far more on a loaded 2-core machine.
  it("reports one line naming the removed directory, so the server can stop", { timeout: 60_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), "datadir-lost-"));
    tempDirs.push(root);
    const dataDir = join(root, "data");
    let onLost!: (message: string) => void;
    const lost = new Promise<string>((resolve) => (onLost = resolve));
    const database = await openProcessDatabase(resolveSecrets(parseEnv(embeddedEnv(dataDir)), () => {}), { onDataDirLost: onLost });
    try {
      rmSync(dataDir, { recursive: true, force: true });
      const message = await lost;
      expect(message).toBe(
        `The embedded data directory ${dataDir} was removed while the server was running; stopping. Restart npm start to create a new one.`,
      );
      expect(message).not.toContain("\n");
    } finally {
      await database.close().catch(() => {});
    }
  });

  // The server's own handler: a process holding the data dir (as serve.ts does) exits 1 with that line alone on stderr.
  it("stops the process holding it with exit code 1 and that one line", { timeout: 60_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), "datadir-lost-"));
    tempDirs.push(root);
    const dataDir = join(root, "data");
    const holder = `(async () => {
      const { openProcessDatabase } = await import("@/server/services");
      const { parseEnv } = await import("@/server/env");
      const { resolveSecrets } = await import("@/server/secrets");
      await openProcessDatabase(resolveSecrets(parseEnv(process.env), () => {}));
      console.log("ready");
      setInterval(() => {}, 1000);
    })()`;
    const child = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["-e", holder], { env: embeddedEnv(dataDir), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()).includes("ready") && resolve()));
    rmSync(dataDir, { recursive: true, force: true });
    expect(await exited).toBe(1);
    expect(stderr).toBe(
      `The embedded data directory ${dataDir} was removed while the server was running; stopping. Restart npm start to create a new one.\n`,
    );
  });
});
