import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { cleanEnv, freePort, freshDataDir, npmStart, type Proc } from "./processes";

/** `ladmin ... --json` against the instance's data dir (run while the server is stopped). */
export function ladmin(env: Record<string, string | undefined>, args: string[], input?: string) {
  return JSON.parse(execFileSync(process.execPath, ["bin/ladmin.mjs", ...args, "--json"], { env: env as NodeJS.ProcessEnv, encoding: "utf8", input }));
}

export interface Instance {
  url: string;
  env: Record<string, string | undefined>;
  projectId: string;
  orgId: string;
  keyId: string;
  key: string;
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
 * organization, project and test-mode key whose allowlist holds `allow`,
 * whatever `prepare` adds with ladmin (more keys, users), then `npm start`
 * serving it.
 */
export async function startInstance(
  allow: (url: string) => string[],
  opts: { env?: Record<string, string>; prepare?: (made: Prepared) => void } = {},
): Promise<Instance> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env = cleanEnv({ PORT: String(port), LAYERS_DATA_DIR: freshDataDir(), LAYERS_PUBLIC_URL: url, ...opts.env });
  const org = ladmin(env, ["orgs", "create", "--name", "E2E organization"]);
  const project = ladmin(env, ["projects", "create", "--org", org.id, "--name", "Acme Studio"]);
  const key = ladmin(env, [
    "keys",
    "create",
    "--org",
    org.id,
    "--name",
    "e2e",
    "--scopes",
    "social:write,social:read",
    "--mode",
    "test",
    ...allow(url).flatMap((u) => ["--allow", u]),
  ]);
  opts.prepare?.({ url, env, orgId: org.id, projectId: project.id });
  const server = npmStart(env);
  await server.waitFor(/Console:/);
  return { url, env, projectId: project.id, orgId: org.id, keyId: key.id, key: key.key, server, stop: () => server.stop() };
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
