/**
 * Time and timers, as one injectable object. Production reads the system
 * clock; tests pass pg-boss's TestClock, which also drives the job system's
 * own timers and the time its SQL reads, so "a refresh after two days" or "a
 * retry after five hours" is a tick, not a wait. The shape is pg-boss's
 * `Clock`, so either can be handed to it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** The clock's now as a Date. */
export const dateOf = (clock: Pick<Clock, "now">) => new Date(clock.now());
