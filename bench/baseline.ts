/**
 * The benchmark's baseline: the two benchmarked endpoints on bare `node:http`
 * + postgres-js + ioredis, doing the same database and Redis work per request
 * as the app, and nothing else (no Next, no drizzle, no zod, no log line).
 * Started by bench/run.ts; not a product server. What it does per request is
 * listed in bench/baselineWork.ts (keep the two in step).
 *
 *   node --import tsx bench/baseline.ts
 *
 * Env: PORT, DATABASE_URL, REDIS_URL, LAYERS_ENCRYPTION_KEY (base64, 32 bytes),
 * LAYERS_PUBLIC_URL, BASELINE_POOL (default 10, the app's pool size),
 * BASELINE_PREPARE ("0" = unnamed statements, as drizzle sends them; default
 * "1" = postgres-js's default named prepared statements).
 */
import { createCipheriv, createHash, createSecretKey, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Redis } from "ioredis";
import postgres from "postgres";
import { FIXED_WINDOW_SCRIPT } from "./fixedWindowScript";

const TOKEN_RE = /^lp_(live|test)_([0-9A-HJKMNP-TV-Z]{16})_([0-9A-HJKMNP-TV-Z]{32})$/;
const PRJ_RE = /^prj_[0-9A-HJKMNP-TV-Z]{26}$/;
const ST_RE = /^st_[0-9A-HJKMNP-TV-Z]{32}$/;
const OAUTH_URL_PATH = /^\/v1\/projects\/([^/]+)\/social\/oauth-url$/;
const OAUTH_STATUS_PATH = /^\/v1\/social\/oauth-status\/([^/]+)$/;
const BUDGET_RE = /^(\d{1,9})\/(\d{1,9})(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const TIKTOK_SCOPES = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"];
const INSTAGRAM_SCOPES = [
  "instagram_business_basic",
  "instagram_business_content_publish",
  "instagram_business_manage_comments",
  "instagram_business_manage_insights",
];
const STATE_TTL_MS = 10 * 60_000;
const LAST_USED_RESOLUTION_MS = 60_000;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const env = process.env;
const port = Number(env.PORT ?? 0);
const publicUrl = (env.LAYERS_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, "");
const encryptionKey = Buffer.from(env.LAYERS_ENCRYPTION_KEY ?? "", "base64");
if (!env.DATABASE_URL || !env.REDIS_URL || encryptionKey.length !== 32) {
  process.stderr.write("baseline: DATABASE_URL, REDIS_URL and LAYERS_ENCRYPTION_KEY (base64 of 32 bytes) are required\n");
  process.exit(2);
}
const keyId = createHash("sha256").update(encryptionKey).digest("hex").slice(0, 8);
// As server/crypto/keys.ts: one HKDF key per use.
const HKDF_SALT = Buffer.from("layers-connect/hkdf/v1");
const deriveKey = (purpose: string) => Buffer.from(hkdfSync("sha256", encryptionKey, HKDF_SALT, `layers-connect/${purpose}`, 32));
// As SecretBox: the sealing key is a KeyObject made once (createCipheriv would make one per call from a Buffer).
const sealingKey = createSecretKey(deriveKey("token-sealing"));
// As deriveKey there: each key derived once per process.
const sandboxSecrets = new Map<string, string>();
const sandboxSecret = (platform: string) => {
  let secret = sandboxSecrets.get(platform);
  if (!secret) sandboxSecrets.set(platform, (secret = deriveKey(`sandbox-client-secret:${platform}`).toString("base64url")));
  return secret;
};

const sql = postgres(env.DATABASE_URL, {
  max: Number(env.BASELINE_POOL ?? 10),
  connect_timeout: 5,
  idle_timeout: 30,
  prepare: env.BASELINE_PREPARE !== "0",
  onnotice: () => {},
});
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 0, connectTimeout: 1000 });
let scriptSha = "";

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += CROCKFORD[bytes[i]! & 31];
  return out;
}

/** As SecretBox.seal (v2): bound to the table, column and row it is stored in. */
function seal(plaintext: string, table: string, column: string, rowId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(JSON.stringify(["v2", keyId, table, column, rowId])));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v2", keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

const budgets = new Map<string, { tokens: number; windowMs: number } | null>();
function parseBudget(text: string | null) {
  if (!text) return null;
  let budget = budgets.get(text);
  if (budget === undefined) {
    const m = BUDGET_RE.exec(text.trim());
    budget = m ? { tokens: Number(m[1]), windowMs: Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS] } : null;
    budgets.set(text, budget);
  }
  return budget;
}
const DEFAULT_BUDGETS = { w: { tokens: 60, windowMs: 60_000 }, r: { tokens: 600, windowMs: 60_000 } };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

interface KeyRow {
  id: string;
  org_id: string;
  mode: string;
  secret_hash: string;
  scopes: string[];
  write_limit: string | null;
  read_limit: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
}

async function authenticate(req: IncomingMessage): Promise<KeyRow> {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const token = match ? TOKEN_RE.exec(match[1]!) : null;
  if (!token) throw new HttpError(401, "UNAUTHENTICATED");
  const [row] = await sql<KeyRow[]>`
    select id, org_id, mode, secret_hash, scopes, write_limit, read_limit, last_used_at, revoked_at, expires_at
    from api_keys where public_id = ${token[2]!} limit 1`;
  const presented = createHash("sha256").update(token[3]!, "utf8").digest();
  const stored = Buffer.from(row?.secret_hash ?? "00".repeat(32), "hex");
  const matches = presented.length === stored.length && timingSafeEqual(presented, stored);
  if (!row || !matches || row.mode !== token[1]) throw new HttpError(401, "UNAUTHENTICATED");
  if (row.revoked_at || (row.expires_at && row.expires_at <= new Date())) throw new HttpError(401, "UNAUTHENTICATED");
  return row;
}

async function rateLimit(key: KeyRow, write: boolean, headers: Record<string, string>) {
  const kind = write ? "w" : "r";
  const budget = parseBudget(write ? key.write_limit : key.read_limit) ?? DEFAULT_BUDGETS[kind];
  const bucket = Math.floor(Date.now() / budget.windowMs);
  const redisKey = `bench:baseline:rl:${key.id}:${kind}:${bucket}`;
  const args = [redisKey, String(budget.tokens), String(budget.windowMs), "1"];
  let result: [number, number];
  try {
    result = (await redis.evalsha(scriptSha, 1, ...args)) as [number, number];
  } catch (error) {
    if (!String(error).includes("NOSCRIPT")) throw error;
    result = (await redis.eval(FIXED_WINDOW_SCRIPT, 1, ...args)) as [number, number];
  }
  const [used, limit] = result;
  headers["X-RateLimit-Limit"] = String(limit);
  headers["X-RateLimit-Remaining"] = String(Math.max(0, limit - used));
  headers["X-RateLimit-Reset"] = String(Math.ceil(((bucket + 1) * budget.windowMs) / 1000));
  if (used > limit) throw new HttpError(429, "RATE_LIMITED");
}

function touchLastUsed(key: KeyRow) {
  const now = new Date();
  if (key.last_used_at && now.getTime() - key.last_used_at.getTime() < LAST_USED_RESOLUTION_MS) return;
  const threshold = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  sql`update api_keys set last_used_at = ${now} where id = ${key.id} and (last_used_at is null or last_used_at < ${threshold})`.then(
    () => {},
    () => {},
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function oauthUrl(req: IncomingMessage, key: KeyRow, projectId: string) {
  if (!PRJ_RE.test(projectId)) throw new HttpError(400, "VALIDATION");
  const [project] = await sql`select id, name, archived_at from projects where id = ${projectId} and org_id = ${key.org_id} limit 1`;
  if (!project || project.archived_at) throw new HttpError(404, "NOT_FOUND");
  let body: { platform?: unknown; returnUrl?: unknown; scopes?: unknown; usageNote?: unknown };
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    throw new HttpError(400, "VALIDATION");
  }
  const platform = body.platform;
  if ((platform !== "tiktok" && platform !== "instagram") || typeof body.returnUrl !== "string" || !URL.canParse(body.returnUrl)) {
    throw new HttpError(400, "VALIDATION");
  }
  const url = new URL(body.returnUrl);
  const matchKey = `${url.protocol}//${url.host}${url.pathname}`;
  const [allowed] = await sql`select url from return_url_allowlist where api_key_id = ${key.id} and url = ${matchKey} limit 1`;
  if (!allowed) throw new HttpError(403, "RETURN_URL_NOT_ALLOWED");
  if (key.mode !== "test") throw new HttpError(503, "PLATFORM_NOT_CONFIGURED"); // the bench key is a test key: sandbox endpoints

  const state = `st_${randomBase32(32)}`;
  const now = new Date();
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  const scopes = platform === "tiktok" ? TIKTOK_SCOPES : INSTAGRAM_SCOPES;
  const verifier = platform === "tiktok" ? randomBytes(48).toString("base64url") : undefined;
  sandboxSecret(platform);
  const authorize = new URL(`${publicUrl}/sandbox/${platform}/${platform === "tiktok" ? "v2/auth/authorize/" : "oauth/authorize"}`);
  authorize.searchParams.set(platform === "tiktok" ? "client_key" : "client_id", `sandbox_${platform}`);
  authorize.searchParams.set("response_type", "code");
  authorize.searchParams.set("scope", scopes.join(","));
  authorize.searchParams.set("redirect_uri", `${publicUrl}/v1/social/oauth/callback/${platform}`);
  authorize.searchParams.set("state", state);
  if (verifier) {
    authorize.searchParams.set("code_challenge", createHash("sha256").update(verifier).digest("hex"));
    authorize.searchParams.set("code_challenge_method", "S256");
  }
  const usageNote = typeof body.usageNote === "string" ? body.usageNote : null;
  const verifierEnc = verifier ? seal(verifier, "oauth_states", "code_verifier_enc", state) : null;
  await sql`
    insert into oauth_states (id, org_id, project_id, api_key_id, platform, livemode, return_url, scopes, usage_note, code_verifier_enc, created_at, expires_at)
    values (${state}, ${key.org_id}, ${projectId}, ${key.id}, ${platform}, ${false}, ${url.href}, ${scopes}, ${usageNote}, ${verifierEnc}, ${now}, ${expiresAt})`;
  return { authorizeUrl: authorize.toString(), state, expiresAt: expiresAt.toISOString(), connectUrl: `${publicUrl}/connect/${state}` };
}

async function oauthStatus(key: KeyRow, stateId: string) {
  if (!ST_RE.test(stateId)) throw new HttpError(400, "VALIDATION");
  const [a] = await sql`select * from oauth_states where id = ${stateId} and api_key_id = ${key.id} limit 1`;
  if (!a) throw new HttpError(404, "NOT_FOUND");
  const status = a.status === "pending" && a.expires_at <= new Date() ? "expired" : a.status;
  return {
    state: a.id,
    status,
    platform: a.platform,
    projectId: a.project_id,
    usageNote: a.usage_note,
    ...(status === "completed" && {
      socialAccountId: a.social_account_id,
      grantedScopes: a.granted_scopes ?? [],
      missingScopes: a.missing_scopes ?? [],
    }),
    ...(status === "failed" && { error: { code: a.error_code, message: a.error_message } }),
    createdAt: a.created_at.toISOString(),
    expiresAt: a.expires_at.toISOString(),
    completedAt: a.completed_at?.toISOString() ?? null,
  };
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const requestId = `req_${randomBase32(26)}`;
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Request-Id": requestId, "Cache-Control": "no-store" };
  let status = 200;
  let body: unknown;
  try {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const post = req.method === "POST" ? OAUTH_URL_PATH.exec(path) : null;
    const get = req.method === "GET" ? OAUTH_STATUS_PATH.exec(path) : null;
    if (!post && !get) throw new HttpError(404, "NOT_FOUND");
    const key = await authenticate(req);
    const scopes = post ? ["social:write"] : ["social:read", "social:write"];
    if (!key.scopes.some((s) => scopes.includes(s))) throw new HttpError(403, "FORBIDDEN_SCOPE");
    await rateLimit(key, Boolean(post), headers);
    touchLastUsed(key);
    body = post ? await oauthUrl(req, key, decodeURIComponent(post[1]!)) : await oauthStatus(key, decodeURIComponent(get![1]!));
  } catch (error) {
    if (error instanceof HttpError) status = error.status;
    else {
      status = 500;
      process.stderr.write(`baseline: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    body = { error: { code: error instanceof HttpError ? error.code : "INTERNAL", message: "baseline error", requestId } };
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

async function main() {
  scriptSha = (await redis.script("LOAD", FIXED_WINDOW_SCRIPT)) as string;
  await sql`select 1`;
  const server = createServer((req, res) => void handle(req, res));
  server.listen(port, "127.0.0.1", () => process.stdout.write(`baseline listening on 127.0.0.1:${port}\n`));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([sql.end({ timeout: 2 }), redis.quit()]).then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline: could not start: ${String(error)}\n`);
  process.exit(1);
});
