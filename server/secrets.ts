import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, EnvError, isEmbedded } from "./env";

export const IN_MEMORY_DATA_DIR = "memory://";

export type ResolvedConfig = Config & { encryptionKey: Buffer; authSecret: string };

interface LocalSecrets {
  encryptionKey: string;
  authSecret: string;
}

/**
 * Fills in LAYERS_ENCRYPTION_KEY and AUTH_SECRET. With an external database
 * both are required; in embedded mode they are generated once into the data
 * dir (with a warning), so `npm start` needs no setup and restarts can still
 * decrypt what earlier runs stored.
 */
export function resolveSecrets(config: Config, warn: (line: string) => void = console.warn): ResolvedConfig {
  if (config.encryptionKey && config.authSecret) {
    return { ...config, encryptionKey: config.encryptionKey, authSecret: config.authSecret };
  }
  if (!isEmbedded(config)) {
    throw new EnvError(config.encryptionKey ? "AUTH_SECRET" : "LAYERS_ENCRYPTION_KEY", "is required when DATABASE_URL is set; generate one with: openssl rand -base64 32");
  }
  const local = config.dataDir === IN_MEMORY_DATA_DIR ? freshSecrets() : localSecrets(config.dataDir, warn);
  return {
    ...config,
    encryptionKey: config.encryptionKey ?? Buffer.from(local.encryptionKey, "base64"),
    authSecret: config.authSecret ?? local.authSecret,
  };
}

const SECRET_VARIABLES = { encryptionKey: "LAYERS_ENCRYPTION_KEY", authSecret: "AUTH_SECRET" } as const;

/**
 * For ladmin and `npm run db:migrate`: as `resolveSecrets`, except that with
 * DATABASE_URL a missing secret is an error only when something reads it.
 * Most commands (orgs, projects, keys, users) seal nothing and need neither;
 * the ones that do stop at their first seal or open with one line naming the
 * variable. The getters are enumerable, so even a copy of the configuration
 * fails loudly rather than carrying on without the key.
 */
export function resolveSecretsWhenRead(config: Config, warn: (line: string) => void = console.warn): ResolvedConfig {
  if (isEmbedded(config) || (config.encryptionKey && config.authSecret)) return resolveSecrets(config, warn);
  const resolved = { ...config } as ResolvedConfig;
  for (const [field, variable] of Object.entries(SECRET_VARIABLES) as Array<[keyof typeof SECRET_VARIABLES, string]>) {
    if (config[field] !== undefined) continue;
    Object.defineProperty(resolved, field, {
      enumerable: true,
      get() {
        throw new EnvError(variable, "is required for this command when DATABASE_URL is set (it seals or opens stored secrets): use the server's value");
      },
    });
  }
  return resolved;
}

function freshSecrets(): LocalSecrets {
  return { encryptionKey: randomBytes(32).toString("base64"), authSecret: randomBytes(32).toString("base64url") };
}

function localSecrets(dataDir: string, warn: (line: string) => void): LocalSecrets {
  const file = join(dataDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets = freshSecrets();
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  warn(`warning: generated LAYERS_ENCRYPTION_KEY and AUTH_SECRET into ${file}; set them in the environment for production.`);
  return secrets;
}
