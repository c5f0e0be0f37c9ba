import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { cleanEnv, freePort, freshDataDir, Proc } from "./support/processes";

/**
 * DEPLOYING.md's steps, run as written: the systemd units' commands and
 * environment (deploy/systemd/*.service) with the example environment file
 * (deploy/layers.env.example) filled in, against a PostgreSQL database of
 * its own: the web unit serves and is ready, the worker unit works, the
 * upgrade step (`npm run db:migrate`) passes, and both stop cleanly on the
 * units' KillSignal. Only /opt/layers becomes this checkout: no systemd here.
 */
const ROOT = join(import.meta.dirname, "..");
const INSTALL_DIR = "/opt/layers";

interface Unit {
  workingDirectory: string;
  environment: Record<string, string>;
  environmentFile: string;
  command: string[];
  killSignal: NodeJS.Signals;
}

function readUnit(name: string): Unit {
  const lines = readFileSync(join(ROOT, "deploy", "systemd", name), "utf8").split("\n");
  const values = (key: string) => lines.filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1).trim());
  const one = (key: string) => {
    const found = values(key);
    expect(found, `${name}: ${key}`).toHaveLength(1);
    return found[0]!;
  };
  return {
    workingDirectory: one("WorkingDirectory"),
    environment: Object.fromEntries(values("Environment").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])),
    environmentFile: one("EnvironmentFile"),
    command: one("ExecStart").split(/\s+/),
    killSignal: one("KillSignal") as NodeJS.Signals,
  };
}

/** The example environment file as KEY=value pairs (comments and blank lines dropped, as systemd reads it). */
function readEnvExample(): Record<string, string> {
  const pairs = readFileSync(join(ROOT, "deploy", "layers.env.example"), "utf8")
    .split("\n")
    .filter((line) => line.trim() && !line.trimStart().startsWith("#"))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const);
  return Object.fromEntries(pairs);
}

/** A unit's process as systemd would start it, with this checkout as the install directory. */
function startUnit(unit: Unit, env: Record<string, string | undefined>, name: string): Proc {
  const [binary, ...args] = unit.command.map((part) => part.replace(INSTALL_DIR, ROOT));
  expect(unit.workingDirectory).toBe(INSTALL_DIR);
  return new Proc(binary!, args, { ...env, ...unit.environment }, { name, cwd: ROOT });
}

test("the systemd units, with the example environment filled in, serve, work, migrate and stop cleanly", async () => {
  const web = readUnit("layers-web.service");
  const worker = readUnit("layers-worker.service");
  expect([web.environmentFile, worker.environmentFile]).toEqual(["/etc/layers/layers.env", "/etc/layers/layers.env"]);
  expect(web.environment).toEqual({ LAYERS_WORKER: "off" });

  const admin = postgres(process.env.E2E_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  const dbName = `layers_e2e_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database ${dbName}`);
  const port = await freePort();
  const example = readEnvExample();
  // Every CHANGE-ME is what the guide says to replace; the rest of the example stays as written.
  const filled = {
    ...example,
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
    REDIS_URL: process.env.REDIS_URL ?? example.REDIS_URL,
    LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    AUTH_SECRET: randomBytes(48).toString("base64"),
    LAYERS_PUBLIC_URL: `http://localhost:${port}`,
    PORT: String(port),
  };
  expect(Object.values(filled).join("\n")).not.toContain("CHANGE-ME");
  const env = cleanEnv({ ...filled, LAYERS_DATA_DIR: freshDataDir() });

  const server = startUnit(web, env, "layers-web");
  let jobs: Proc | undefined;
  try {
    await server.waitFor(/Background jobs: not run here \(LAYERS_WORKER=off\)/);
    // The setup code goes to the journal: the guide's first-user step reads it there.
    expect(server.output).toMatch(/Setup code: [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { status: "ready" } });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    jobs = startUnit(worker, env, "layers-worker");
    await jobs.waitFor(/Layers Connect worker running/);

    // Upgrading: the guide's migrate step, run again on a migrated database, changes nothing and passes.
    const migrate = new Proc(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], env, { name: "db:migrate", cwd: ROOT });
    expect(await migrate.exited, migrate.output).toBe(0);

    for (const proc of [jobs, server]) {
      process.kill(proc.pid, worker.killSignal);
      expect(await proc.exited, proc.name).toBe(0);
    }
  } finally {
    await jobs?.stop();
    await server.stop();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
});
