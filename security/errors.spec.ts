import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { api, type Instance, startInstance } from "../e2e/support/layers";

/**
 * Issue 8 item 3 over HTTP: nothing internal in answers or logs. The
 * instance runs on a PostgreSQL database of its own; the suite then breaks
 * the schema under it (renames the column the key lookup reads), so every
 * API request meets a real failed query whose drizzle error carries the SQL
 * and its parameters. The answer must be the generic INTERNAL body with the
 * request id, and the log line must keep the error's class and stack frames
 * but neither the SQL nor a parameter.
 */
test.describe.configure({ mode: "serial" });

const adminUrl = process.env.E2E_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `layers_sec_${randomBytes(4).toString("hex")}`;
const dbUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
let instance: Instance;

test.beforeAll(async () => {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  await admin.end();
  instance = await startInstance((url) => [`${url}/connect/return`], {
    env: {
      DATABASE_URL: dbUrl,
      LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
    },
  });
});

test.afterAll(async () => {
  await instance?.stop();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
});

test("a real failed query answers the generic INTERNAL body and logs no SQL or parameters", async () => {
  const publicId = instance.key.split("_")[2]!;
  const before = await api(instance, "GET", `/v1/projects/${instance.projectId}/social/accounts`);
  expect(before.status).toBe(200);

  const db = postgres(dbUrl, { max: 1, onnotice: () => {} });
  await db.unsafe("alter table api_keys rename column secret_hash to secret_hash_moved");
  await db.end();

  const logFrom = instance.server.output.length;
  const res = await fetch(`${instance.url}/v1/projects/${instance.projectId}/social/accounts`, {
    headers: { authorization: `Bearer ${instance.key}` },
  });
  const text = await res.text();
  expect(res.status).toBe(500);
  const body = JSON.parse(text);
  expect(body.error.code).toBe("INTERNAL");
  expect(body.error.message).toContain(body.error.requestId);
  expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
  for (const leak of [/select/i, /secret_hash/, /params/i, publicId, /at .*\.(ts|js):\d+/]) expect(text).not.toMatch(leak);

  await expect.poll(() => instance.server.output.slice(logFrom)).toContain(body.error.requestId);
  const lines = instance.server.output
    .slice(logFrom)
    .split("\n")
    .filter((line) => line.includes(body.error.requestId) && line.includes('"level":"error"'));
  expect(lines.length).toBeGreaterThan(0);
  const logged = lines.join("\n");
  expect(logged).toMatch(/42703/); // the SQLSTATE: undefined column
  expect(logged).toMatch(/\\n?\s*at /); // stack frames are kept
  for (const leak of [/select /i, /params:/i, publicId, instance.key]) expect(logged).not.toMatch(leak);
});
