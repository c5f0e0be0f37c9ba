import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { test } from "@playwright/test";
import { cleanEnv, freePort, freshDataDir, nextStart, npmStart, type Proc } from "./processes";

/**
 * What serves an instance: `front` is `npm start` (scripts/serve.ts, the
 * node:http front that dispatches /v1 itself), `next` is bare `next start`
 * (Next's router, with proxy.ts). The security suite runs once through each
 * (the `security` and `security-next` projects in playwright.config.ts).
 */
export type Front = "front" | "next";

/**
 * The tag of a test that only means something with the front (it owns the
 * socket, Node's parser errors, the access log): the `security-next` project
 * leaves such tests out by this tag (grepInvert), so they are never declared
 * there rather than skipped. Every use says why the test is the front's alone.
 */
export const FRONT_ONLY = "@front-only";

/**
 * The front of the running project: its `metadata.front` (playwright.config.ts),
 * else LAYERS_E2E_FRONT (for a project that does not say, such as e2e), else `front`.
 */
export function currentFront(): Front {
  let fromProject: unknown;
  try {
    fromProject = (test.info().project.metadata as { front?: unknown } | undefined)?.front;
  } catch {
    // outside a test or hook: no project to ask
  }
  const front = fromProject ?? process.env.LAYERS_E2E_FRONT ?? "front";
  if (front !== "front" && front !== "next") throw new Error(`the front must be "front" or "next", not ${JSON.stringify(front)}`);
  return front;
}

/**
 * Serves `env` (its LAYERS_DATA_DIR or DATABASE_URL, on env.PORT) through
 * `front` and resolves once it is ready: both print the console banner once
 * migrations and first-start seeding are done (instrumentation.ts), and both
 * answer from then on.
 */
export async function startServer(env: Record<string, string | undefined>, front: Front = currentFront()): Promise<Proc> {
  const server = front === "front" ? npmStart(env) : nextStart(env);
  try {
    await server.waitFor(/Console:/);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** `ladmin ... --json` against the instance's data dir (run while the server is stopped). */
export function ladmin(env: Record<string, string | undefined>, args: string[], input?: string) {
  return JSON.parse(execFileSync(process.execPath, ["bin/ladmin.mjs", ...args, "--json"], { env: env as NodeJS.ProcessEnv, encoding: "utf8", input }));
}

/** One command of a ladminBatch: `ladmin` arguments (without --json), and what it reads from stdin (a password). */
export interface LadminCall {
  args: string[];
  input?: string;
}

/**
 * Several `ladmin ... --json` commands in one process on one open database
 * (e2e/support/ladminBatch.ts): the same commands and outputs, for one Node
 * start and one database opening instead of one per command. An argument
 * `@N.field` stands for the `field` of the Nth command's output (`@0.id`: the
 * id the first command made).
 */
export function ladminBatch(env: Record<string, string | undefined>, calls: LadminCall[]): any[] {
  return JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", "e2e/support/ladminBatch.ts"], { env: env as NodeJS.ProcessEnv, encoding: "utf8", input: JSON.stringify(calls) }),
  );
}

export interface Instance {
  url: string;
  env: Record<string, string | undefined>;
  projectId: string;
  orgId: string;
  keyId: string;
  key: string;
  /** The outputs of the `seed` commands, in order (ladmin's JSON). */
  seeded: any[];
  server: Proc;
  stop(): Promise<void>;
}

/** What `prepare` may build on, before the server starts (ladmin never writes to a database a running server holds). */
export interface Prepared {
  url: string;
  env: Record<string, string | undefined>;
  orgId: string;
  projectId: string;
}

/**
 * A fresh Layers instance: embedded database in a new data dir, one
 * organization, project and test-mode key whose allowlist holds `allow`, the
 * ladmin commands `seed` lists (more keys, users: run in the same process,
 * their outputs in `seeded`), whatever `prepare` adds with ladmin, then the
 * project's front serving it (`npm start`, or bare `next start`: currentFront()).
 */
export async function startInstance(
  allow: (url: string) => string[],
  opts: {
    env?: Record<string, string>;
    /** `orgId` and `projectId` here are references the batch resolves (`@0.id`, `@1.id`): use them as arguments only. */
    seed?: (made: { url: string; orgId: string; projectId: string }) => LadminCall[];
    prepare?: (made: Prepared) => void;
  } = {},
): Promise<Instance> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env = cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: freshDataDir(), LAYERS_PUBLIC_URL: url, ...opts.env });
  const [org, project, key, ...seeded] = ladminBatch(env, [
    { args: ["orgs", "create", "--name", "E2E organization"] },
    { args: ["projects", "create", "--org", "@0.id", "--name", "Acme Studio"] },
    { args: ["keys", "create", "--org", "@0.id", "--name", "e2e", "--scopes", "social:write,social:read", "--mode", "test", ...allow(url).flatMap((u) => ["--allow", u])] },
    ...(opts.seed?.({ url, orgId: "@0.id", projectId: "@1.id" }) ?? []),
  ]);
  opts.prepare?.({ url, env, orgId: org.id, projectId: project.id });
  const server = await startServer(env);
  return { url, env, projectId: project.id, orgId: org.id, keyId: key.id, key: key.key, seeded, server, stop: () => server.stop() };
}

export async function api(instance: Instance, method: string, path: string, body?: unknown) {
  const res = await fetch(instance.url + path, {
    method,
    headers: { authorization: `Bearer ${instance.key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

/** A stand-in integrator app on another origin: its return page echoes what it received. */
export async function startIntegrator(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>Integrator</title><h1>Integrator return page</h1><p id="error">${url.searchParams.get("layers_oauth_error") ?? "none"}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
