import { z } from "zod";
import { durationSchema } from "./duration";
import { budgetSchema } from "./ratelimit/budget";

/**
 * Every environment variable of CONTRACT.md §2, parsed once. A bad value stops
 * the process at start with one line naming the variable (see `EnvError`).
 */

const isHttpUrl = (v: string) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);

/** An absolute http(s) base URL; trailing slashes dropped so paths can be appended. */
const httpUrl = z
  .string()
  .refine(isHttpUrl, "must be an absolute http(s) URL")
  .transform((v) => v.replace(/\/+$/, ""));

/** An absolute http(s) URL kept as written (authorize URLs keep their trailing slash). */
const absoluteUrl = z.string().refine(isHttpUrl, "must be an absolute http(s) URL");

const urlWithScheme = (schemes: string[], example: string) =>
  z
    .string()
    .refine((v) => URL.canParse(v) && schemes.includes(new URL(v).protocol), `must be a URL like ${example}`);

const base64Key = z.string().transform((value, ctx) => {
  const bytes = Buffer.from(value, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || bytes.length !== 32) {
    ctx.addIssue({ code: "custom", message: `must be base64 of exactly 32 bytes (got ${bytes.length}); generate one with: openssl rand -base64 32` });
    return z.NEVER;
  }
  return bytes;
});

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const onOff = z.enum(["on", "off"], { message: 'must be "on" or "off"' });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: optional(urlWithScheme(["postgres:", "postgresql:"], "postgres://user@host:5432/db")),
  LAYERS_DATA_DIR: z.string().min(1).default("./.data"),
  REDIS_URL: optional(urlWithScheme(["redis:", "rediss:"], "redis://127.0.0.1:6379")),
  UPSTASH_REDIS_REST_URL: optional(httpUrl),
  UPSTASH_REDIS_REST_TOKEN: optional(z.string()),
  LAYERS_PUBLIC_URL: optional(httpUrl),
  LAYERS_ENCRYPTION_KEY: optional(base64Key),
  // Earlier encryption keys, comma-separated, still accepted for decryption while rotating.
  LAYERS_ENCRYPTION_KEYS_PREVIOUS: optional(z.string()),
  AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters; generate one with: openssl rand -base64 32")),
  TIKTOK_CLIENT_KEY: optional(z.string()),
  TIKTOK_CLIENT_SECRET: optional(z.string()),
  TIKTOK_AUTHORIZE_URL: z.preprocess((v) => v || undefined, absoluteUrl.default("https://www.tiktok.com/v2/auth/authorize/")),
  TIKTOK_API_BASE_URL: z.preprocess((v) => v || undefined, httpUrl.default("https://open.tiktokapis.com")),
  INSTAGRAM_CLIENT_ID: optional(z.string()),
  INSTAGRAM_CLIENT_SECRET: optional(z.string()),
  INSTAGRAM_AUTHORIZE_URL: z.preprocess((v) => v || undefined, absoluteUrl.default("https://www.instagram.com/oauth/authorize")),
  INSTAGRAM_API_BASE_URL: z.preprocess((v) => v || undefined, httpUrl.default("https://api.instagram.com")),
  INSTAGRAM_GRAPH_BASE_URL: z.preprocess((v) => v || undefined, httpUrl.default("https://graph.instagram.com")),
  LAYERS_WRITE_LIMIT: z.preprocess((v) => v || undefined, budgetSchema.prefault("60/60s")),
  LAYERS_READ_LIMIT: z.preprocess((v) => v || undefined, budgetSchema.prefault("600/60s")),
  LAYERS_SANDBOX: z.preprocess((v) => v || undefined, onOff.default("on")),
  LAYERS_REFRESH_SWEEP: z.preprocess((v) => v || undefined, durationSchema(1_000, "1s").prefault("5m")),
  LAYERS_REFRESH_AHEAD: z.preprocess((v) => v || undefined, durationSchema(1_000, "1s").prefault("30m")),
  LAYERS_WORKER: z.preprocess((v) => v || undefined, onOff.default("on")),
  LAYERS_WEBHOOKS_ALLOW_PRIVATE: optional(z.enum(["0", "1"], { message: 'must be "1" (allow) or "0"' })),
  LAYERS_TRUSTED_PROXY_HOPS: z.preprocess(
    (v) => v || undefined,
    z.coerce.number({ message: "must be a whole number of proxies, 0 to 10" }).int("must be a whole number of proxies, 0 to 10").min(0, "must be 0 to 10").max(10, "must be 0 to 10").default(0),
  ),
});

type RawEnv = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`${variable}: ${detail}`);
    this.name = "EnvError";
  }
}

export interface PlatformCredentials {
  clientId: string;
  clientSecret: string;
}

export interface Config {
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  upstash: { url: string; token: string } | undefined;
  /** Undefined until secrets are resolved (embedded mode generates them). */
  encryptionKey: Buffer | undefined;
  previousEncryptionKeys: Buffer[];
  authSecret: string | undefined;
  tiktok: { credentials?: PlatformCredentials; authorizeUrl: string; apiBaseUrl: string };
  instagram: { credentials?: PlatformCredentials; authorizeUrl: string; apiBaseUrl: string; graphBaseUrl: string };
  writeLimit: RawEnv["LAYERS_WRITE_LIMIT"];
  readLimit: RawEnv["LAYERS_READ_LIMIT"];
  /** The built-in sandbox platforms for test-mode keys (CONTRACT.md §6). */
  sandbox: boolean;
  /** Reverse proxies in front of this instance that append to X-Forwarded-For. */
  trustedProxyHops: number;
  /** How often the token-refresh sweep runs, and how long before expiry it refreshes (ms). */
  refreshSweepMs: number;
  refreshAheadMs: number;
  /** Run the background jobs inside this process (LAYERS_WORKER). */
  worker: boolean;
  /** Webhook URLs may resolve to loopback and private addresses (development); embedded mode allows it unless set to 0. */
  webhooksAllowPrivate: boolean;
}

function pair(idName: string, id: string | undefined, secretName: string, secret: string | undefined) {
  if (!id && !secret) return undefined;
  if (!id) throw new EnvError(idName, `is required when ${secretName} is set`);
  if (!secret) throw new EnvError(secretName, `is required when ${idName} is set`);
  return { clientId: id, clientSecret: secret };
}

/** Parses the environment; throws `EnvError` naming the first bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const raw = source[variable];
    const shown = raw === undefined || /KEY|SECRET|TOKEN|PASSWORD|DATABASE_URL|REDIS_URL/.test(variable) ? "" : ` (got "${raw}")`;
    throw new EnvError(variable, `${issue.message}${shown}`);
  }
  const env = result.data;
  const upstash = pair("UPSTASH_REDIS_REST_URL", env.UPSTASH_REDIS_REST_URL, "UPSTASH_REDIS_REST_TOKEN", env.UPSTASH_REDIS_REST_TOKEN);
  const previousEncryptionKeys = (env.LAYERS_ENCRYPTION_KEYS_PREVIOUS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((value) => {
      const parsed = base64Key.safeParse(value);
      if (!parsed.success) throw new EnvError("LAYERS_ENCRYPTION_KEYS_PREVIOUS", parsed.error.issues[0]!.message);
      return parsed.data;
    });
  return {
    port: env.PORT,
    publicUrl: env.LAYERS_PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.LAYERS_DATA_DIR,
    redisUrl: env.REDIS_URL,
    upstash: upstash && { url: upstash.clientId, token: upstash.clientSecret },
    encryptionKey: env.LAYERS_ENCRYPTION_KEY,
    previousEncryptionKeys,
    authSecret: env.AUTH_SECRET,
    tiktok: {
      credentials: pair("TIKTOK_CLIENT_KEY", env.TIKTOK_CLIENT_KEY, "TIKTOK_CLIENT_SECRET", env.TIKTOK_CLIENT_SECRET),
      authorizeUrl: env.TIKTOK_AUTHORIZE_URL,
      apiBaseUrl: env.TIKTOK_API_BASE_URL,
    },
    instagram: {
      credentials: pair("INSTAGRAM_CLIENT_ID", env.INSTAGRAM_CLIENT_ID, "INSTAGRAM_CLIENT_SECRET", env.INSTAGRAM_CLIENT_SECRET),
      authorizeUrl: env.INSTAGRAM_AUTHORIZE_URL,
      apiBaseUrl: env.INSTAGRAM_API_BASE_URL,
      graphBaseUrl: env.INSTAGRAM_GRAPH_BASE_URL,
    },
    writeLimit: env.LAYERS_WRITE_LIMIT,
    readLimit: env.LAYERS_READ_LIMIT,
    sandbox: env.LAYERS_SANDBOX === "on",
    trustedProxyHops: env.LAYERS_TRUSTED_PROXY_HOPS,
    refreshSweepMs: env.LAYERS_REFRESH_SWEEP,
    refreshAheadMs: env.LAYERS_REFRESH_AHEAD,
    worker: env.LAYERS_WORKER === "on",
    webhooksAllowPrivate: env.LAYERS_WEBHOOKS_ALLOW_PRIVATE === undefined ? !env.DATABASE_URL : env.LAYERS_WEBHOOKS_ALLOW_PRIVATE === "1",
  };
}

export const isEmbedded = (config: Pick<Config, "databaseUrl">) => !config.databaseUrl;
