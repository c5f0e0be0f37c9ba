import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { parseEnv } from "@/server/env";
import type { Clock } from "@/server/clock";
import { setLogSink } from "@/server/log";
import { SecretBox } from "@/server/crypto/secretbox";
import { upsertSocialAccount } from "@/server/accounts/service";
import { createApiKey } from "@/server/keys/service";
import type { ApiScope } from "@/server/keys/scopes";
import { createOrganization } from "@/server/orgs/service";
import { createProject } from "@/server/projects/service";
import { domainContext } from "@/server/domain/context";
import { modeScope, operatorScope, orgScope } from "@/server/domain/scope";
import { createRateLimiter, type RateLimiter } from "@/server/ratelimit";
import { resolveSecrets } from "@/server/secrets";
import { assembleServices, type Services, setServices } from "@/server/services";
import { openDatabase } from "@/db/client";
import { checkAnswer } from "./contract";
import { pgliteTemplateFor } from "./pgliteTemplate";
import { readAnswer, TestApi } from "./testApi";

/**
 * Services for a test file: the real PostgreSQL and Redis when DATABASE_URL
 * and REDIS_URL are set, else an in-memory PGlite and in-process limits.
 */
/** Log lines written since the last `startTestServices` (kept out of the test output). */
export const capturedLogs: Array<Record<string, unknown>> = [];

export async function startTestServices(
  opts: { env?: Record<string, string | undefined>; limiter?: RateLimiter; clock?: Clock; jobsSchema?: string } = {},
): Promise<Services> {
  const config = resolveSecrets(
    parseEnv({
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      LAYERS_DATA_DIR: "memory://",
      LAYERS_PUBLIC_URL: "http://layers.test",
      LAYERS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      ...opts.env,
    }),
  );
  capturedLogs.length = 0;
  setLogSink((line) => capturedLogs.push(JSON.parse(line) as Record<string, unknown>));
  const loadDataDir = await pgliteTemplateFor(config);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4, loadDataDir });
  await database.migrate();
  const limiter = opts.limiter ?? (await createRateLimiter(config));
  const services = assembleServices(config, database, limiter, { clock: opts.clock, jobsSchema: opts.jobsSchema });
  setServices(services);
  return services;
}

/** The same database and limiter under other settings (platform credentials, public URL, keys...). */
export function deriveServices(base: Services, env: Record<string, string>): Services {
  const config = resolveSecrets(
    parseEnv({
      DATABASE_URL: base.config.databaseUrl,
      LAYERS_DATA_DIR: "memory://",
      LAYERS_PUBLIC_URL: base.config.publicUrl,
      LAYERS_ENCRYPTION_KEY: base.config.encryptionKey.toString("base64"),
      AUTH_SECRET: base.config.authSecret,
      ...env,
    }),
  );
  // The box follows the config: a test may derive services under other keys (a rotation).
  return { ...base, config, box: new SecretBox(config.encryptionKey, config.previousEncryptionKeys), close: async () => {} };
}

export interface Tenant {
  orgId: string;
  projectId: string;
  keyId: string;
  token: string;
}

const suffix = () => randomBytes(4).toString("hex");

/** A fresh organization with one project and one key; nothing shared with other tests. */
export async function seedTenant(
  services: Services,
  opts: { mode?: "live" | "test"; scopes?: ApiScope[]; allow?: string[]; writeLimit?: string; readLimit?: string } = {},
): Promise<Tenant> {
  const ctx = domainContext(services);
  const actor = { type: "system" } as const;
  const org = await createOrganization(ctx, operatorScope(actor), { name: `Test org ${suffix()}` });
  const project = await createProject(ctx, orgScope(org.id, actor), { name: "Test project" });
  const key = await addKey(services, org.id, opts);
  return { orgId: org.id, projectId: project.id, keyId: key.keyId, token: key.token };
}

export async function addKey(
  services: Services,
  orgId: string,
  opts: { mode?: "live" | "test"; scopes?: ApiScope[]; allow?: string[]; writeLimit?: string; readLimit?: string } = {},
) {
  const key = await createApiKey(domainContext(services), orgScope(orgId, { type: "system" }), {
    name: `key ${suffix()}`,
    mode: opts.mode ?? "test",
    scopes: opts.scopes ?? ["social:write", "social:read"],
    allow: opts.allow ?? ["https://app.example.com/connect/return"],
    writeLimit: opts.writeLimit,
    readLimit: opts.readLimit,
  });
  return { keyId: key.id, token: key.key };
}

export async function expireKey(services: Services, keyId: string) {
  await services.database.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, keyId));
}

export { appRouteFile, TestApi } from "./testApi";

/** The public REST API as `npm start` serves it: the /v1 front over every route in the table, from the file at its path. */
export async function apiRoutes(api = new TestApi()): Promise<TestApi> {
  return api.mountV1();
}

export async function startApi(): Promise<TestApi> {
  return (await apiRoutes()).listen();
}

/** Stores a connected account directly, as a finished callback would (a test-mode one unless `mode` says live). */
export async function seedAccount(
  services: Services,
  tenant: Pick<Tenant, "orgId" | "projectId">,
  opts: { username?: string; platform?: "tiktok" | "instagram"; refreshToken?: string | null; mode?: "live" | "test" } = {},
) {
  const username = opts.username ?? `user_${suffix()}`;
  return upsertSocialAccount(domainContext(services), modeScope(orgScope(tenant.orgId, { type: "system" }), opts.mode ?? "test"), {
    projectId: tenant.projectId,
    platform: opts.platform ?? "tiktok",
    profile: { platformUserId: `uid_${username}`, username, displayName: username.toUpperCase(), avatarUrl: null },
    tokens: {
      accessToken: `act.${suffix()}`,
      accessTokenExpiresAt: new Date(Date.now() + 86_400_000),
      refreshToken: opts.refreshToken === undefined ? `rft.${suffix()}` : opts.refreshToken,
      refreshTokenExpiresAt: null,
      grantedScopes: null,
      platformUserId: null,
    },
    grantedScopes: ["user.info.basic"],
  });
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

/** fetch() with a Bearer key and a JSON body; the reply parsed when it is JSON, and checked against the route table. */
export async function request(
  api: TestApi,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  }
  // Redirects are answers to check, not to follow.
  const answer = await readAnswer(await fetch(api.url + path, { method, headers, body, redirect: "manual" }));
  checkAnswer(method, new URL(api.url + path).pathname, answer);
  return answer;
}
