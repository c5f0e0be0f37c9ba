import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainContext } from "@/server/domain/context";
import { orgScope } from "@/server/domain/scope";
import { runWorkers } from "@/server/jobs/workers";
import { createProject } from "@/server/projects/service";
import type { Services } from "@/server/services";
import { freshDatabase } from "@/test-support/freshDatabase";
import { addKey, capturedLogs, seedAccount, seedTenant, startTestServices, type TestApi } from "@/test-support/harness";
import { serveApiWithSandbox } from "@/test-support/sandbox";

/**
 * The Python SDK's unittest suite (sdk/python/tests), run with the machine's
 * python3 against the whole API and the sandbox behind one real HTTP server
 * (PGlite, or PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set),
 * with the workers delivering webhooks to the https receivers the Python
 * tests start. This file seeds what those tests need and hands it over in
 * environment variables; then every Python test found in the files must
 * have run and passed (none skipped, none missing), and a failure shows the
 * unittest output.
 */
const SDK_DIR = import.meta.dirname;
const TESTS_DIR = join(SDK_DIR, "tests");
const RETURN_URL = "https://app.example.com/connect/return";
// The seed page's snippet uses this returnUrl; the Python suite runs the snippet as printed.
const SEED_RETURN_URL = "https://app.gicgrowth.com/connect/tiktok/return";
const ALL_SCOPES = ["social:write", "social:read", "webhooks:write", "webhooks:read"] as const;
const PYTHON_TIMEOUT_MS = 240_000;

/** `module.Class.test_method` of every test method in sdk/python/tests/test_*.py. */
function pythonTestsInFiles(): string[] {
  const names: string[] = [];
  for (const file of readdirSync(TESTS_DIR).filter((f) => /^test_\w+\.py$/.test(f)).sort()) {
    const module = file.slice(0, -3);
    let testCase: string | undefined;
    for (const line of readFileSync(join(TESTS_DIR, file), "utf8").split("\n")) {
      const classMatch = /^class (\w+)\(/.exec(line);
      if (classMatch) testCase = classMatch[1];
      else if (/^\S/.test(line)) testCase = undefined;
      const method = /^ {4}def (test\w*)\(/.exec(line);
      if (method && testCase) names.push(`${module}.${testCase}.${method[1]}`);
    }
  }
  return names;
}

/** The outcome of each test in `python3 -m unittest -v` output, by `module.Class.test_method`. */
function outcomes(output: string): Map<string, string> {
  const found = new Map<string, string>();
  // "test_x (module.Class.test_x) ... ok" (3.11+; "(module.Class)" before), with the docstring's first line between when there is one.
  for (const match of output.matchAll(/^(test\w*) \(([\w.]+)\)(?:\n[^\n]*?)?? \.\.\. (.+)$/gm)) {
    const [, method, where, outcome] = match as unknown as [string, string, string, string];
    found.set(where.endsWith(`.${method}`) ? where : `${where}.${method}`, outcome.trim());
  }
  return found;
}

/** The traceback unittest printed for one test, else the whole output. */
function report(output: string, name: string): string {
  const method = name.split(".").pop()!;
  const section = output
    .split(/^={70}$/m)
    .find((part) => new RegExp(`^\\n(FAIL|ERROR): ${method} \\(`).test(part) && part.includes(name.split(".").slice(0, -1).join(".")));
  return section ? section.split(/^-{70}\nRan /m)[0]!.trim() : output;
}

function runPython(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronously: the API this process serves must keep answering while Python runs.
    const child = spawn("python3", ["-m", "unittest", "discover", "-s", TESTS_DIR, "-t", TESTS_DIR, "-v"], {
      cwd: SDK_DIR,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      output += `\n[killed: no result within ${PYTHON_TIMEOUT_MS / 1000} s]`;
      child.kill("SIGKILL");
    }, PYTHON_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const expected = pythonTestsInFiles();
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let base: Services;
let api: TestApi;
let result: { code: number | null; output: string };
let ran: Map<string, string>;
let serverErrors: string[] = [];

beforeAll(async () => {
  // A database of its own: the workers deliver this file's webhooks, and no other file's.
  fresh = await freshDatabase();
  base = await startTestServices({ env: { DATABASE_URL: fresh.url } });
  // The Python receivers listen on localhost.
  const served = await serveApiWithSandbox(base, { LAYERS_WEBHOOKS_ALLOW_PRIVATE: "1" });
  api = served.api;
  const services = served.services;
  await runWorkers(services.jobs, domainContext(services));

  // A roomy write budget: the suite makes a few dozen writes with this key within a minute.
  const tenant = await seedTenant(services, { allow: [RETURN_URL, SEED_RETURN_URL], scopes: [...ALL_SCOPES], writeLimit: "600/60s" });
  // One request per 3 s window, reads and writes: the 429 tests.
  const limited = await addKey(services, tenant.orgId, { scopes: [...ALL_SCOPES], allow: [RETURN_URL], readLimit: "1/3s", writeLimit: "1/3s" });
  const readOnly = await addKey(services, tenant.orgId, { scopes: ["social:read"], allow: [RETURN_URL] });
  const stranger = await seedTenant(services, { allow: [RETURN_URL] });
  // A project of the same organization with five accounts, oldest first: pagination.
  const paged = await createProject(domainContext(services), orgScope(tenant.orgId, { type: "system" }), { name: "Paged project" });
  const pagedAccounts: string[] = [];
  for (let i = 0; i < 5; i++) pagedAccounts.push((await seedAccount(services, { orgId: tenant.orgId, projectId: paged.id }, { username: `paged_${i}` })).id);

  result = await runPython({
    PYTHONPATH: SDK_DIR,
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONUNBUFFERED: "1",
    LAYERS_BASE_URL: api.url,
    LAYERS_TEST_KEY: tenant.token,
    LAYERS_TEST_PROJECT_ID: tenant.projectId,
    LAYERS_TEST_RETURN_URL: RETURN_URL,
    LAYERS_TEST_LIMITED_KEY: limited.token,
    LAYERS_TEST_READONLY_KEY: readOnly.token,
    LAYERS_TEST_OTHER_PROJECT_ID: stranger.projectId,
    LAYERS_TEST_PAGED_PROJECT_ID: paged.id,
    LAYERS_TEST_PAGED_ACCOUNT_IDS: pagedAccounts.join(","),
  });
  ran = outcomes(result.output);
  // The server's error lines, for a failure's message (the harness keeps them out of the output).
  serverErrors = capturedLogs.filter((line) => line.level === "error").map((line) => JSON.stringify(line));
}, PYTHON_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await api?.close();
  await base?.close();
  await fresh?.drop();
});

describe("the Python SDK's unittest suite, against this API", () => {
  it("finds the Python tests in the files", () => {
    expect(expected.length).toBeGreaterThan(30);
  });

  it("exits 0, every test run and none skipped", () => {
    expect(result.code, `${result.output}\n\nServer errors:\n${serverErrors.join("\n")}`).toBe(0);
    expect(result.output, result.output).toMatch(new RegExp(`^Ran ${expected.length} tests? in `, "m"));
    expect(result.output, result.output).not.toMatch(/skipped|expected failure|unexpected success/);
    expect([...ran.keys()].filter((name) => !expected.includes(name)), result.output).toEqual([]);
  });

  it.each(expected)("%s passes", (name) => {
    expect(ran.get(name) ?? "did not run", `${report(result.output, name)}\n\nServer errors:\n${serverErrors.join("\n")}`).toBe("ok");
  });
});
