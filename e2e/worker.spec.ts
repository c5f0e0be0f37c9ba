import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { ladmin } from "./support/layers";
import { cleanEnv, freePort, freshDataDir, npmStart, Proc } from "./support/processes";

/**
 * Web and workers apart, as the deployment guide runs them: `npm start` with
 * LAYERS_WORKER=off serves and runs no jobs; `npm run worker` runs them.
 */
// As package.json runs it: tsx as a loader in the one process, so a signal reaches the worker itself (tsx's CLI
// wrapper relays signals to a child and SIGKILLs it when the child is slow to acknowledge, as under load).
const worker = (env: Record<string, string | undefined>) => new Proc(process.execPath, ["--import", "tsx", "scripts/worker.ts"], env, { name: "npm run worker" });

test("npm run worker refuses the embedded database with one line: npm start runs the workers there", async () => {
  const proc = worker(cleanEnv({ LAYERS_DATA_DIR: freshDataDir() }));
  expect(await proc.exited).toBe(1);
  expect(proc.output.trim().split("\n")).toEqual([expect.stringMatching(/^npm run worker needs DATABASE_URL: the embedded database belongs to the one `npm start` process/)]);
});

test("with LAYERS_WORKER=off the server runs no jobs; npm run worker does, and stops cleanly on SIGTERM", async () => {
  const admin = postgres(process.env.E2E_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  const dbName = `layers_e2e_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database ${dbName}`);
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const port = await freePort();
  const env = cleanEnv({
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    LAYERS_DATA_DIR: freshDataDir(),
    LAYERS_WORKER: "off",
  });
  const server = npmStart(env);
  let jobs: Proc | undefined;
  try {
    await server.waitFor(/Background jobs: not run here \(LAYERS_WORKER=off\)/);
    const org = ladmin(env, ["orgs", "create", "--name", "Worker org"]);
    const project = ladmin(env, ["projects", "create", "--org", org.id, "--name", "Worker project"]);
    const key = ladmin(env, ["keys", "create", "--org", org.id, "--name", "k", "--scopes", "social:write,social:read", "--mode", "test", "--allow", "http://127.0.0.1:9/return"]);
    const created = await fetch(`http://127.0.0.1:${port}/v1/projects/${project.id}/social/oauth-url`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: JSON.stringify({ platform: "tiktok", returnUrl: "http://127.0.0.1:9/return" }),
    });
    const { state } = (await created.json()) as { state: string };
    // A callback that died mid-way: its claim's lease ran out a minute ago. Only a sweep ends it here
    // (a status read would end it too, so the test reads the row instead).
    await db`update oauth_states set status = 'processing', lease_expires_at = now() - interval '1 minute' where id = ${state}`;
    const stateStatus = async () => (await db`select status, error_code from oauth_states where id = ${state}`)[0];
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await stateStatus()).toEqual({ status: "processing", error_code: null });

    jobs = worker(env);
    await jobs.waitFor(/Layers Connect worker running: token refresh sweep every 5m/);
    await expect.poll(stateStatus, { timeout: 20_000 }).toEqual({ status: "failed", error_code: "server_error" });

    process.kill(-jobs.pid, "SIGTERM");
    expect(await jobs.exited).toBe(0);
  } finally {
    await jobs?.stop();
    await server.stop();
    await db.end();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
});
