import type { Budget } from "./budget";

export interface RateDecision {
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, Unix milliseconds. */
  resetMs: number;
  /** The store could not answer in time; the request was let through. */
  failedOpen?: true;
}

export type RateLimitBackend = "upstash" | "redis" | "memory";

/**
 * A fixed-window limiter. All backends count the same way: the window is
 * `floor(now / windowMs)`, a call is allowed while the count in the window is
 * at most `tokens`, and `reset` is the end of the window.
 */
export interface RateLimiter {
  readonly backend: RateLimitBackend;
  limit(identifier: string, budget: Budget): Promise<RateDecision>;
  close(): Promise<void>;
}
