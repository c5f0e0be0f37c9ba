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

const UNAVAILABLE = Symbol.for("layers.RateLimitUnavailableError");

/** The store could not answer a strict call in time: whoever asked must refuse, not pass. */
export class RateLimitUnavailableError extends Error {
  readonly [UNAVAILABLE] = true;
  constructor(cause: unknown) {
    super("rate limit store unavailable", { cause });
    this.name = "RateLimitUnavailableError";
  }
}

/**
 * Next bundles a module once per route, while the limiter is made once per
 * process, so `instanceof` can see two copies of the class: the mark is
 * what is shared.
 */
export const isRateLimitUnavailable = (error: unknown): error is RateLimitUnavailableError =>
  typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[UNAVAILABLE] === true;

/**
 * A fixed-window limiter. All backends count the same way: the window is
 * `floor(now / windowMs)`, a call is allowed while the count in the window is
 * at most `tokens`, and `reset` is the end of the window.
 */
export interface RateLimiter {
  readonly backend: RateLimitBackend;
  /** Counts one call; a store that cannot answer lets it through (`failedOpen`): the API stays up. */
  limit(identifier: string, budget: Budget): Promise<RateDecision>;
  /**
   * Counts `tokens` calls at once and says whether the count is still within
   * the budget. Negative gives calls back; the count can go below zero, so
   * give back only what was counted in the same window. Strict: a store that cannot
   * answer throws RateLimitUnavailableError. For budgets that guard secrets
   * (sign-in), where letting a guess through unlimited is worse than refusing.
   */
  charge(identifier: string, budget: Budget, tokens: number): Promise<RateDecision>;
  /**
   * The current window as a decision, counting nothing: `success` says whether
   * one more call would be within the budget. Strict like `charge`.
   */
  peek(identifier: string, budget: Budget): Promise<RateDecision>;
  close(): Promise<void>;
}
