import type { Budget } from "./budget";
import type { RateDecision, RateLimiter } from "./types";

/**
 * In-process fixed windows, for a single instance with no Redis. Counts the
 * way @upstash/ratelimit's fixedWindow script does (see `RateLimiter`).
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly backend = "memory" as const;
  private readonly windows = new Map<string, { count: number; resetMs: number }>();
  private calls = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async limit(identifier: string, budget: Budget): Promise<RateDecision> {
    return this.count(identifier, budget, 1);
  }

  // In-process: there is no store to lose, so the strict forms are the same count.
  async charge(identifier: string, budget: Budget, tokens: number): Promise<RateDecision> {
    return this.count(identifier, budget, tokens);
  }

  async peek(identifier: string, budget: Budget): Promise<RateDecision> {
    const decision = this.count(identifier, budget, 0);
    return { ...decision, success: decision.remaining > 0 };
  }

  private count(identifier: string, budget: Budget, tokens: number): RateDecision {
    const now = this.now();
    const bucket = Math.floor(now / budget.windowMs);
    const key = `${identifier}:${bucket}`;
    const resetMs = (bucket + 1) * budget.windowMs;
    const window = this.windows.get(key) ?? { count: 0, resetMs };
    window.count += tokens;
    if (tokens !== 0) this.windows.set(key, window);
    if (++this.calls % 1024 === 0) this.sweep(now);
    return {
      success: window.count <= budget.tokens,
      limit: budget.tokens,
      remaining: Math.max(0, budget.tokens - window.count),
      resetMs,
    };
  }

  /** Drops finished windows so memory stays bounded by the active keys. */
  private sweep(now: number) {
    for (const [key, window] of this.windows) if (window.resetMs <= now) this.windows.delete(key);
  }

  async close() {
    this.windows.clear();
  }
}
