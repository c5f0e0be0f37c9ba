/**
 * The fault suite's own PostgreSQL and Redis: throwaway servers on ports of
 * their own, with their own data directory, so stopping or freezing them
 * never touches the machine's services or another suite's data.
 *
 * PostgreSQL refuses to run as root, so when the suite runs as root (as CI
 * does) its cluster belongs to the `postgres` user and every pg_ctl call
 * runs as that user.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import IORedis from "ioredis";
import postgres from "postgres";
import { freePort, Proc } from "../../e2e/support/processes";

function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, "bin");
}

const asRoot = process.getuid?.() === 0;

export interface Postgres {
  port: number;
  /** A URL for `database` on this server. */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: sessions end with 57P01, as in a restart. */
  stop(): Promise<void>;
  /** Starts it again; resolves once it accepts connections. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "layers-faults-pg-"));
  const port = await freePort();
  const user = asRoot ? "postgres" : userInfo().username;
  // Never execFileSync while a load runs: it would freeze the suite's own clock and sockets too.
  const run = async (tool: string, args: string[]) => {
    const command = asRoot ? ["runuser", "-u", "postgres", "--", join(bin, tool), ...args] : [join(bin, tool), ...args];
    await promisify(execFile)(command[0]!, command.slice(1));
  };
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  await run("initdb", ["-D", data, "-U", user, "-A", "trust", "--no-sync", "--no-instructions", "-E", "UTF8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  await start();
  const url = (database: string) => `postgres://${user}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const admin = postgres(url("postgres"), { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      return url(name);
    },
    stop,
    start,
    async destroy() {
      try {
        await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Redis {
  url: string;
  /** Commands the server has processed so far (INFO stats), this call's own included. */
  commandsProcessed(): Promise<number>;
  /** SIGSTOP: the server keeps its sockets but answers nothing, like a hung host. */
  freeze(): void;
  resume(): void;
  destroy(): Promise<void>;
}

export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "layers-faults-redis-"));
  const proc = new Proc("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], process.env);
  await proc.waitFor(/Ready to accept connections/, 15_000);
  const signal = (sig: NodeJS.Signals) => process.kill(proc.pid, sig);
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    async commandsProcessed() {
      const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        const info = await client.info("stats");
        return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
      } finally {
        client.disconnect();
      }
    },
    freeze: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    async destroy() {
      signal("SIGCONT");
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
