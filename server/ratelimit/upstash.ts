import { Ratelimit } from "@upstash/ratelimit";
import { throttledFaultLog } from "../log";
import type { Budget } from "./budget";
import { type RateDecision, type RateLimitBackend, type RateLimiter, RateLimitUnavailableError } from "./types";

type RatelimitRedis = ConstructorParameters<typeof Ratelimit>[0]["redis"];

/** How long a rate-limit check may take before the request is let through. */
export const RATE_LIMIT_TIMEOUT_MS = 300;

/**
 * How long a strict call (`charge`, `peek`) may take before it counts as
 * unavailable. Longer than the API's: a refusal here keeps an admin out, so a
 * slow store gets a second before sign-in says "try again shortly".
 */
export const STRICT_TIMEOUT_MS = 1000;

/**
 * @upstash/ratelimit's fixed window over Upstash REST or (through
 * `IoRedisAdapter`) a plain Redis. A store that is down or slow must not take
 * the API down: after RATE_LIMIT_TIMEOUT_MS, or on any store error, the
 * request passes and the fault is logged at most once a minute.
 */
export class UpstashRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, Ratelimit>();
  private readonly strictLimiters = new Map<string, Ratelimit>();
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

  /**
   * The library's fixed window without its shortcuts: no ephemeral cache (a
   * cached "blocked" answer counts nothing, so giving a token back after it
   * would undercount) and no library timeout (ours throws instead of passing).
   */
  private strictLimiterFor(budget: Budget): Ratelimit {
    let limiter = this.strictLimiters.get(budget.text);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.fixedWindow(budget.tokens, `${budget.windowMs} ms`),
        prefix: this.prefix,
        timeout: 0,
        analytics: false,
        ephemeralCache: false,
      });
      this.strictLimiters.set(budget.text, limiter);
    }
    return limiter;
  }

  private async strict<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STRICT_TIMEOUT_MS} ms`)), STRICT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      throw new RateLimitUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async charge(identifier: string, budget: Budget, tokens: number): Promise<RateDecision> {
    // Ask for a rate of 0 and the library's script would still INCRBY 0: a peek is getRemaining.
    if (tokens === 0) return this.peek(identifier, budget);
    const result = await this.strict(this.strictLimiterFor(budget).limit(identifier, { rate: tokens }));
    return { success: result.success, limit: result.limit, remaining: result.remaining, resetMs: result.reset };
  }

  async peek(identifier: string, budget: Budget): Promise<RateDecision> {
    const result = await this.strict(this.strictLimiterFor(budget).getRemaining(identifier));
    return { success: result.remaining > 0, limit: result.limit, remaining: result.remaining, resetMs: result.reset };
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
