import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { cleanEnv, freePort, freshDataDir, npmStart, Proc } from "./support/processes";

/**
 * The README's run command on a fresh clone: `npm start` serves, seeds a demo
 * tenant on first start and prints a curl that works exactly as printed.
 */
test("first start prints a demo key and a curl that works as printed; later starts do not re-seed", async () => {
  const dataDir = freshDataDir();
  const port = await freePort();
  const env = cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: dataDir });

  const first = npmStart(env);
  try {
    await first.waitFor(/-d '.*'\n/);
    const curl = first.output.slice(first.output.indexOf("curl -X POST"), first.output.indexOf("'\n", first.output.indexOf("curl -X POST")) + 1);
    expect(curl).toContain(`http://localhost:${port}/v1/projects/prj_`);
    expect(curl).toMatch(/Bearer lp_test_/);

    const reply = JSON.parse(execFileSync("bash", ["-c", curl], { encoding: "utf8" }));
    expect(reply.state).toMatch(/^st_/);
    const url = new URL(reply.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`http://localhost:${port}/sandbox/tiktok/v2/auth/authorize/`);
    expect(url.searchParams.get("state")).toBe(reply.state);

    // The same key reads the attempt's status.
    const key = curl.match(/lp_test_\w+/)![0];
    const status = await fetch(`http://localhost:${port}/v1/social/oauth-status/${reply.state}`, { headers: { authorization: `Bearer ${key}` } });
    expect(status.status).toBe(200);
    expect((await status.json()).status).toBe("pending");
    expect(status.headers.get("x-request-id")).toMatch(/^req_/);
    // Both requests (the curl's and this one) are logged. Info lines go out in one write per turn of the
    // event loop, so the second line can reach us just after its answer.
    await first.waitFor(/"msg":"request".*"status":200[^]*\n\{"level":"info","time":"[^"]+","msg":"request".*"status":200/, 10_000);
    // The banner shows the key once; the request log never does.
    const logLines = first.output.split("\n").filter((line) => line.startsWith("{"));
    expect(logLines.length).toBeGreaterThanOrEqual(2);
    for (const line of logLines) expect(line).not.toContain(key.split("_")[3]!);
  } finally {
    await first.stop();
  }

  const second = npmStart(env);
  try {
    await second.waitFor(/Console:\s+http:\/\/localhost:\d+\/console/);
    expect(second.output).not.toContain("lp_test_");
  } finally {
    await second.stop();
  }
});

test("a bad environment value stops start with one line naming the variable", async () => {
  const proc = npmStart(cleanEnv({ LAYERS_DATA_DIR: freshDataDir(), LAYERS_ENCRYPTION_KEY: "dG9vIHNob3J0" }));
  expect(await proc.exited).toBe(1);
  expect(proc.output.trim().split("\n")).toEqual([expect.stringMatching(/^Configuration error: LAYERS_ENCRYPTION_KEY: must be base64 of exactly 32 bytes/)]);
});

// Refusals come before anything is written: the embedded data dir (and its generated secrets) must not appear.
test("a port in use stops start with one line, before the data dir is made", async () => {
  const dataDir = join(freshDataDir(), "not-yet");
  const taken = createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => taken.listen(port, resolve));
  try {
    const proc = npmStart(cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: dataDir }));
    expect(await proc.exited).toBe(1);
    expect(proc.output.trim().split("\n")).toEqual([`Layers Connect could not start: port ${port} is already in use (another server?). Stop it, or set PORT to use another, e.g. PORT=3001 npm start.`]);
    expect(existsSync(dataDir)).toBe(false);
  } finally {
    taken.close();
  }
});

test("a Node older than 24 stops start with one line, before the data dir is made", async () => {
  const dataDir = join(freshDataDir(), "not-yet");
  // What an old Node reports, on this Node: the check reads process.version(s) first thing.
  const oldNode = 'data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"20.19.0"}});Object.defineProperty(process,"version",{value:"v20.19.0"})';
  const proc = new Proc(process.execPath, ["--import", oldNode, "--import", "tsx", "scripts/start.ts"], cleanEnv({ PORT: String(await freePort()), LAYERS_DATA_DIR: dataDir }));
  expect(await proc.exited).toBe(1);
  expect(proc.output.trim().split("\n")).toEqual([expect.stringMatching(/^Layers Connect needs Node\.js 24 or newer \(this is v20\.19\.0\): run it through npm/)]);
  expect(existsSync(dataDir)).toBe(false);
});

test("a second server on the same embedded data dir is refused with a message that says what to do", async () => {
  const dataDir = freshDataDir();
  const first = npmStart(cleanEnv({ PORT: String(await freePort()), LAYERS_DATA_DIR: dataDir }));
  try {
    await first.waitFor(/test API key/);
    const second = npmStart(cleanEnv({ PORT: String(await freePort()), LAYERS_DATA_DIR: dataDir }));
    expect(await second.exited).toBe(1);
    expect(second.output.trim().split("\n")).toEqual([expect.stringMatching(/^Layers Connect could not start: the embedded database in .* is in use by another process/)]);
  } finally {
    await first.stop();
  }
});

test("with DATABASE_URL and REDIS_URL, start migrates the PostgreSQL database and serves from it", async () => {
  const admin = postgres(process.env.E2E_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  const dbName = `layers_e2e_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database ${dbName}`);
  const port = await freePort();
  const proc = npmStart(
    cleanEnv({
      PORT: String(port),
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      LAYERS_DATA_DIR: freshDataDir(),
    }),
  );
  try {
    await proc.waitFor(/Console:/);
    const db = postgres(`postgres://postgres@127.0.0.1:5432/${dbName}`, { max: 1, onnotice: () => {} });
    const tables = await db`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    await db.end();
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["api_keys", "oauth_states", "organizations", "projects", "return_url_allowlist", "social_accounts"]),
    );
    const res = await fetch(`http://localhost:${port}/v1/social/oauth-status/st_x`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
  } finally {
    await proc.stop();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
});
