import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";
import { resolveSecrets } from "./secrets";

const fail = (env: Record<string, string>) => {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("expected an EnvError");
};

describe("environment", () => {
  it("has the contract's defaults", () => {
    const config = parseEnv({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: "http://localhost:3000",
      databaseUrl: undefined,
      dataDir: "./.data",
      redisUrl: undefined,
      upstash: undefined,
      tiktok: { credentials: undefined, authorizeUrl: "https://www.tiktok.com/v2/auth/authorize/", apiBaseUrl: "https://open.tiktokapis.com" },
      instagram: {
        credentials: undefined,
        authorizeUrl: "https://www.instagram.com/oauth/authorize",
        apiBaseUrl: "https://api.instagram.com",
        graphBaseUrl: "https://graph.instagram.com",
      },
    });
    expect(config.writeLimit).toMatchObject({ tokens: 60, windowMs: 60_000 });
    expect(config.readLimit).toMatchObject({ tokens: 600, windowMs: 60_000 });
    expect(config.sandbox).toBe(true);
    expect(config.trustedProxyHops).toBe(0);
    expect([config.refreshSweepMs, config.refreshAheadMs, config.worker]).toEqual([300_000, 1_800_000, true]);
    expect(parseEnv({ LAYERS_REFRESH_SWEEP: "2s", LAYERS_REFRESH_AHEAD: "2h", LAYERS_WORKER: "off" })).toMatchObject({
      refreshSweepMs: 2_000,
      refreshAheadMs: 7_200_000,
      worker: false,
    });
    expect(parseEnv({ LAYERS_SANDBOX: "off" }).sandbox).toBe(false);
    expect(parseEnv({ LAYERS_TRUSTED_PROXY_HOPS: "2" }).trustedProxyHops).toBe(2);
    expect(parseEnv({ PORT: "4100" }).publicUrl).toBe("http://localhost:4100");
    expect(parseEnv({ LAYERS_PUBLIC_URL: "https://connect.example.com/" }).publicUrl).toBe("https://connect.example.com");
  });

  it.each([
    [{ PORT: "http" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ LAYERS_PUBLIC_URL: "connect.example.com" }, "LAYERS_PUBLIC_URL"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ REDIS_URL: "http://127.0.0.1:6379" }, "REDIS_URL"],
    [{ LAYERS_ENCRYPTION_KEY: randomBytes(16).toString("base64") }, "LAYERS_ENCRYPTION_KEY"],
    [{ LAYERS_ENCRYPTION_KEY: "not base64!" }, "LAYERS_ENCRYPTION_KEY"],
    [{ LAYERS_WRITE_LIMIT: "60 per minute" }, "LAYERS_WRITE_LIMIT"],
    [{ LAYERS_READ_LIMIT: "10/0s" }, "LAYERS_READ_LIMIT"],
    [{ TIKTOK_AUTHORIZE_URL: "tiktok" }, "TIKTOK_AUTHORIZE_URL"],
    [{ TIKTOK_CLIENT_KEY: "ck" }, "TIKTOK_CLIENT_SECRET"],
    [{ UPSTASH_REDIS_REST_URL: "https://x.upstash.io" }, "UPSTASH_REDIS_REST_TOKEN"],
    [{ AUTH_SECRET: "short" }, "AUTH_SECRET"],
    [{ LAYERS_SANDBOX: "disabled" }, "LAYERS_SANDBOX"],
    [{ LAYERS_TRUSTED_PROXY_HOPS: "-1" }, "LAYERS_TRUSTED_PROXY_HOPS"],
    [{ LAYERS_TRUSTED_PROXY_HOPS: "one" }, "LAYERS_TRUSTED_PROXY_HOPS"],
    [{ LAYERS_REFRESH_SWEEP: "5 minutes" }, "LAYERS_REFRESH_SWEEP"],
    [{ LAYERS_REFRESH_SWEEP: "500ms" }, "LAYERS_REFRESH_SWEEP"],
    [{ LAYERS_REFRESH_AHEAD: "soon" }, "LAYERS_REFRESH_AHEAD"],
    [{ LAYERS_WORKER: "yes" }, "LAYERS_WORKER"],
  ])("rejects %j naming %s in one line", (env, variable) => {
    const error = fail(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).not.toContain("\n");
  });

  it("never echoes secret values in its messages", () => {
    const key = "c2hvcnQ=";
    expect(fail({ LAYERS_ENCRYPTION_KEY: key }).message).not.toContain(key);
  });

  it("requires the encryption key and auth secret with an external database", () => {
    expect(() => resolveSecrets(parseEnv({ DATABASE_URL: "postgres://h/db" }))).toThrow(/LAYERS_ENCRYPTION_KEY/);
  });

  it("generates embedded-mode secrets once into the data dir, private to the owner", () => {
    const dir = mkdtempSync(join(tmpdir(), "layers-env-"));
    const warnings: string[] = [];
    const first = resolveSecrets(parseEnv({ LAYERS_DATA_DIR: dir }), (w) => warnings.push(w));
    const second = resolveSecrets(parseEnv({ LAYERS_DATA_DIR: dir }), (w) => warnings.push(w));
    expect(first.encryptionKey).toHaveLength(32);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(second.authSecret).toBe(first.authSecret);
    expect(warnings).toHaveLength(1);
    expect(statSync(join(dir, "secrets.json")).mode & 0o077).toBe(0);
    expect(readFileSync(join(dir, "secrets.json"), "utf8")).toContain(first.authSecret);
  });
});
