import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const freshDataDir = () => mkdtempSync(join(tmpdir(), "layers-e2e-"));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** A child process whose output is collected, stopped with its whole process group. */
export class Proc {
  output = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(command: string, args: string[], env: Record<string, string | undefined>) {
    this.child = spawn(command, args, { env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (exited) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`did not see ${pattern} in output:\n${this.output}`);
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // exited on SIGTERM
    }
  }
}

/** The environment a fresh clone sees: none of the CI's service URLs unless asked. */
export function cleanEnv(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const name of ["DATABASE_URL", "REDIS_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "LAYERS_ENCRYPTION_KEY", "AUTH_SECRET", "LAYERS_PUBLIC_URL"]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/** `npm start`, as the README says to run it. */
export const npmStart = (env: Record<string, string | undefined>) => new Proc(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/start.ts"], env);
