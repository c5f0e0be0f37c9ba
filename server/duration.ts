import { z } from "zod";

/** Units of the durations the environment takes (`30s`, `5m`, `2h`, ...), in milliseconds. */
export const DURATION_UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_SYNTAX = "a number and a unit, e.g. 30s, 5m or 2h (units: ms, s, m, h, d)";
const DURATION_RE = /^(\d{1,9})(ms|s|m|h|d)$/;

/** `5m` → 300000; null for anything else. */
export function parseDuration(input: string): number | null {
  const match = DURATION_RE.exec(input.trim());
  return match ? Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS] : null;
}

/** A duration in an environment variable, at least `minMs` long; parsed to milliseconds. */
export const durationSchema = (minMs: number, minText: string) =>
  z.string().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null || ms < minMs) {
      ctx.addIssue({ code: "custom", message: ms === null ? `expected ${DURATION_SYNTAX}` : `must be at least ${minText}` });
      return z.NEVER;
    }
    return ms;
  });
