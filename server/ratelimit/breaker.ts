import { log } from "../log";
import type { Budget } from "./budget";
import { isRateLimitUnavailable, type RateDecision, type RateLimitBackend, type RateLimiter, RateLimitUnavailableError } from "./types";

/** How long a store that failed once is skipped before a probe asks it again. */
export const BREAKER_COOLDOWN_MS = 5_000;

/** The probe reads this window and counts nothing (`peek`), so it never touches a real caller's budget. */
const PROBE_ID = "layers:breaker-probe";
const PROBE_BUDGET: Budget = { tokens: 1, windowMs: 60_000, text: "1/60s" };

export interface BreakerOptions {
  cooldownMs?: number;
  now?: () => number;
}

/**
 * A circuit breaker over a remote store's limiter. Without it a frozen Redis
 * costs every request the full timeout (300 ms for the API, a second for
 * sign-in). After one fault the store is skipped: `limit` fails open at once
 * and `charge`/`peek` throw RateLimitUnavailableError at once (sign-in stays
 * fail-closed, only faster). Once the cooldown is over, the next call starts
 * one probe in the background, never waiting for it; an answer closes the
 * breaker, a fault starts another cooldown. Requests never wait for a probe.
 *
 * The first fault is logged by the inner limiter (throttled) or by its strict
 * caller; while open nothing reaches the store, so nothing more is logged
 * until it answers again, which is logged once as info.
 */
export class BreakerRateLimiter implements RateLimiter {
  private openSince: number | undefined;
  private nextProbeAt = 0;
  private probe: Promise<void> | undefined;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: RateLimiter,
    options: BreakerOptions = {},
  ) {
    this.cooldownMs = options.cooldownMs ?? BREAKER_COOLDOWN_MS;
    this.now = options.now ?? Date.now;
  }

  get backend(): RateLimitBackend {
    return this.inner.backend;
  }

  /** Whether calls skip the store right now. */
  get isOpen(): boolean {
    return this.openSince !== undefined;
  }

  /** The probe in flight, if any (tests await it instead of waiting for time). */
  get probing(): Promise<void> | undefined {
    return this.probe;
  }

  async limit(identifier: string, budget: Budget): Promise<RateDecision> {
    if (this.skipStore()) return this.failOpen(budget);
    const decision = await this.inner.limit(identifier, budget);
    if (decision.failedOpen) this.trip();
    return decision;
  }

  charge(identifier: string, budget: Budget, tokens: number): Promise<RateDecision> {
    return this.strict(() => this.inner.charge(identifier, budget, tokens));
  }

  peek(identifier: string, budget: Budget): Promise<RateDecision> {
    return this.strict(() => this.inner.peek(identifier, budget));
  }

  async close(): Promise<void> {
    // A probe still waiting on the store is settled by the inner close (its client disconnects).
    await this.inner.close();
  }

  private async strict(call: () => Promise<RateDecision>): Promise<RateDecision> {
    if (this.skipStore()) throw new RateLimitUnavailableError(new Error("rate limit store skipped after a fault (breaker open)"));
    try {
      return await call();
    } catch (error) {
      if (isRateLimitUnavailable(error)) this.trip();
      throw error;
    }
  }

  /** True while open; also starts the one background probe once the cooldown is over. */
  private skipStore(): boolean {
    if (this.openSince === undefined) return false;
    if (!this.probe && this.now() >= this.nextProbeAt) this.probe = this.runProbe();
    return true;
  }

  private trip() {
    this.openSince ??= this.now();
    this.nextProbeAt = this.now() + this.cooldownMs;
  }

  private async runProbe(): Promise<void> {
    try {
      await this.inner.peek(PROBE_ID, PROBE_BUDGET);
      const openMs = this.now() - (this.openSince ?? this.now());
      this.openSince = undefined;
      log.info("rate limit store answers again", { backend: this.backend, openMs });
    } catch {
      // Still down: skip it for another cooldown. Not logged: the first fault was.
      this.nextProbeAt = this.now() + this.cooldownMs;
    } finally {
      this.probe = undefined;
    }
  }

  /** The request passes; the decision carries no count, since none was made. */
  private failOpen(budget: Budget): RateDecision {
    const windowEnd = (Math.floor(this.now() / budget.windowMs) + 1) * budget.windowMs;
    return { success: true, limit: budget.tokens, remaining: budget.tokens, resetMs: windowEnd, failedOpen: true };
  }
}
