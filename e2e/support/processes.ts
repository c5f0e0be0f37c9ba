/**
 * Child processes for the e2e suites and the benchmark (bench/run.ts), which
 * both start servers in their own process group and stop the whole group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/**
 * A new, empty data dir. When the global setup made a migrated embedded
 * database (E2E_PGLITE_TEMPLATE), the dir starts with a copy of it: an empty
 * database at the current migration, so the instance's first `ladmin` call
 * skips the migrations (about 6 s of CPU each on the 2-core machine). It holds
 * no data and no secrets: each instance still generates its own.
 */
export function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-e2e-"));
  const template = process.env.E2E_PGLITE_TEMPLATE;
  if (template && existsSync(template)) cpSync(template, join(dir, "pglite"), { recursive: true });
  return dir;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

export interface ProcOptions {
  /** Names it in errors; the command's file name by default. */
  name?: string;
  cwd?: string;
  /**
   * Files for stdout (null: discarded) and stderr instead of collecting both
   * in `output`: a server under load writes more than is worth holding.
   */
  logFiles?: { stdout: string | null; stderr: string };
}

/**
 * The groups started from this process and not yet stopped. A hook that times
 * out while a server starts never gets to stop it (its Proc never reached the
 * test), and a detached group outlives the test worker: whatever is left here
 * when the worker exits is killed then, so no server is left running behind a suite.
 */
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A child process in its own process group, stopped with the whole group. */
export class Proc {
  /** stdout and stderr as they came, unless they go to `logFiles`. */
  output = "";
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly stderrFile: string | undefined;
  private readonly child: ChildProcess;
  private stopping: Promise<void> | undefined;

  constructor(command: string, args: string[], env: Record<string, string | undefined>, opts: ProcOptions = {}) {
    this.name = opts.name ?? basename(command);
    const files = opts.logFiles;
    this.stderrFile = files?.stderr;
    const out = files ? (files.stdout ? openSync(files.stdout, "w") : "ignore") : "pipe";
    const err = files ? openSync(files.stderr, "w") : "pipe";
    this.child = spawn(command, args, { cwd: opts.cwd, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", out, err] });
    for (const fd of [out, err]) if (typeof fd === "number") closeSync(fd);
    this.child.on("error", (error) => (this.output += `${error.message}\n`));
    if (this.child.pid === undefined) throw new Error(`could not start ${this.name}`);
    this.pid = this.child.pid;
    running.add(this.pid);
    this.child.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  /** The last lines it wrote (of stderr, when that goes to a file). */
  tail(lines = 20): string {
    let text = this.output;
    if (this.stderrFile) {
      try {
        text = readFileSync(this.stderrFile, "utf8");
      } catch {
        text = "";
      }
    }
    return text.trimEnd().split("\n").slice(-lines).join("\n") || "(no output)";
  }

  async waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (exited) break;
      await sleep(100);
    }
    throw new Error(`did not see ${pattern} in output:\n${this.output}`);
  }

  /** Resolves once `baseUrl` answers HTTP at all (any status). */
  async waitUntilAnswering(baseUrl: string, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${this.name} exited during start:\n${this.tail()}`);
      try {
        await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) });
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`${this.name} did not answer within ${timeoutMs / 1000} s:\n${this.tail()}`);
  }

  /** SIGTERM to the group, up to 5 s to exit, then SIGKILL to whatever the leader left behind in it. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const signal = (sig: NodeJS.Signals) => {
        try {
          process.kill(-this.pid, sig);
        } catch {
          // the group is gone
        }
      };
      if (this.child.exitCode === null && this.child.signalCode === null) {
        signal("SIGTERM");
        await Promise.race([this.exited, sleep(5000)]);
      }
      signal("SIGKILL");
      running.delete(this.pid);
    })();
    return this.stopping;
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
export const npmStart = (env: Record<string, string | undefined>) => new Proc(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/start.ts"], env, { name: "npm start" });

/**
 * Bare `next start` on env.PORT, without the front: Next's router and proxy.ts
 * answer every request. In production mode, as `npm start` runs its server;
 * instrumentation.ts migrates, seeds and prints the same banner as under `npm start`.
 */
export const nextStart = (env: Record<string, string | undefined>) => {
  if (!env.PORT) throw new Error("nextStart needs PORT in its environment");
  return new Proc(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", env.PORT], { ...env, NODE_ENV: "production" }, { name: "next start" });
};
