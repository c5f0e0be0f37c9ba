import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import type { Config } from "../env";
import { throttledFaultLog } from "../log";
import { BreakerRateLimiter } from "./breaker";
import { IoRedisAdapter } from "./ioredisAdapter";
import { MemoryRateLimiter } from "./memory";
import type { RateLimiter } from "./types";
import { RATE_LIMIT_TIMEOUT_MS, UpstashRateLimiter } from "./upstash";

export { isRateLimitUnavailable, type RateDecision, type RateLimiter, RateLimitUnavailableError } from "./types";

/**
 * Upstash REST when configured, else the Redis at REDIS_URL, else in-process.
 * A remote store sits behind a breaker: after a fault it is skipped for a
 * cooldown instead of costing every request the timeout.
 */
export async function createRateLimiter(config: Pick<Config, "upstash" | "redisUrl">): Promise<RateLimiter> {
  if (config.upstash) {
    // No client-side retries: a slow Upstash must fail open, not back off for seconds.
    const redis = new UpstashRedis({ url: config.upstash.url, token: config.upstash.token, retry: { retries: 0 } });
    return new BreakerRateLimiter(new UpstashRateLimiter("upstash", redis));
  }
  if (config.redisUrl) return createRedisRateLimiter(config.redisUrl);
  return new MemoryRateLimiter();
}

export async function createRedisRateLimiter(redisUrl: string, prefix?: string): Promise<RateLimiter> {
  const logConnectionFault = throttledFaultLog("redis connection error");
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    // Fail fast while disconnected instead of queueing behind a dead socket.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    commandTimeout: RATE_LIMIT_TIMEOUT_MS * 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  client.on("error", (error) => logConnectionFault(error, { backend: "redis" }));
  // A Redis that is down at start must not stop the server: it connects later.
  // A hung one must not hang start either: wait at most a second.
  const connected = client.connect().catch((error: unknown) => logConnectionFault(error, { backend: "redis" }));
  await Promise.race([connected, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  return new BreakerRateLimiter(
    new UpstashRateLimiter(
      "redis",
      new IoRedisAdapter(client) as never,
      async () => {
        client.disconnect();
      },
      prefix,
    ),
  );
}
