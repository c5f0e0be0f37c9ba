/**
 * When a failed delivery is tried again (CONTRACT.md §8): after 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h and 10 h, each with up to ±10 % jitter so that an
 * endpoint that was down does not get every event back at once; then the
 * delivery has failed. Eight tries in all.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const JITTER = 0.1;

/** An endpoint whose every delivery has failed this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * HOUR;

/** When try number `attempt + 1` is due after try `attempt` (1-based) failed at `now`; null when that was the last. */
export function nextAttemptAt(attempt: number, now: Date, random: () => number = Math.random): Date | null {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  if (delay === undefined) return null;
  return new Date(now.getTime() + Math.round(delay * (1 + JITTER * (2 * random() - 1))));
}
