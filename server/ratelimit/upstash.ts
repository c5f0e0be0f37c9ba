import { Ratelimit } from "@upstash/ratelimit";
import { throttledFaultLog } from "../log";
import type { Budget } from "./budget";
import type { RateDecision, RateLimitBackend, RateLimiter } from "./types";

type RatelimitRedis = ConstructorParameters<typeof Ratelimit>[0]["redis"];

/** How long a rate-limit check may take before the request is let through. */
export const RATE_LIMIT_TIMEOUT_MS = 300;

/**
 * @upstash/ratelimit's fixed window over Upstash REST or (through
 * `IoRedisAdapter`) a plain Redis. A store that is down or slow must not take
 * the API down: after RATE_LIMIT_TIMEOUT_MS, or on any store error, the
 * request passes and the fault is logged at most once a minute.
 */
export class UpstashRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, Ratelimit>();
  private readonly logFault = throttledFaultLog("rate limit store unavailable; requests pass unlimited");

  constructor(
    readonly backend: Exclude<RateLimitBackend, "memory">,
    private readonly redis: RatelimitRedis,
    private readonly onClose: () => Promise<void> = async () => {},
    private readonly prefix = "layers:rl",
  ) {}

  private limiterFor(budget: Budget): Ratelimit {
    let limiter = this.limiters.get(budget.text);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.fixedWindow(budget.tokens, `${budget.windowMs} ms`),
        prefix: this.prefix,
        timeout: RATE_LIMIT_TIMEOUT_MS,
        analytics: false,
        // Remembers callers already blocked in this window, saving a round trip.
        ephemeralCache: new Map(),
      });
      this.limiters.set(budget.text, limiter);
    }
    return limiter;
  }

  async limit(identifier: string, budget: Budget): Promise<RateDecision> {
    const failOpen = (error: unknown): RateDecision => {
      this.logFault(error, { backend: this.backend });
      const windowEnd = (Math.floor(Date.now() / budget.windowMs) + 1) * budget.windowMs;
      return { success: true, limit: budget.tokens, remaining: budget.tokens, resetMs: windowEnd, failedOpen: true };
    };
    try {
      const result = await this.limiterFor(budget).limit(identifier);
      if (result.reason === "timeout") return failOpen(new Error(`no answer within ${RATE_LIMIT_TIMEOUT_MS} ms`));
      return { success: result.success, limit: result.limit, remaining: result.remaining, resetMs: result.reset };
    } catch (error) {
      return failOpen(error);
    }
  }

  close() {
    return this.onClose();
  }
}
