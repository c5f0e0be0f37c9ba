import { z } from "zod";
import { DURATION_UNIT_MS } from "../duration";

/** A rate budget such as `60/60s`: `tokens` requests per `windowMs`. */
export interface Budget {
  tokens: number;
  windowMs: number;
  /** The canonical text form, e.g. "60/60s". */
  text: string;
}

const BUDGET_RE = /^(\d{1,9})\/(\d{1,9})(ms|s|m|h|d)$/;

export const BUDGET_SYNTAX = "N/<window>, e.g. 60/60s (window units: ms, s, m, h, d)";

/** Parses `60/60s`; returns null for anything else. */
export function parseBudget(input: string): Budget | null {
  const match = BUDGET_RE.exec(input.trim());
  if (!match) return null;
  const tokens = Number(match[1]);
  const windowMs = Number(match[2]) * DURATION_UNIT_MS[match[3] as keyof typeof DURATION_UNIT_MS];
  if (tokens < 1 || windowMs < 1000) return null;
  return { tokens, windowMs, text: `${tokens}/${match[2]}${match[3]}` };
}

export const budgetSchema = z.string().transform((value, ctx) => {
  const budget = parseBudget(value);
  if (!budget) {
    ctx.addIssue({ code: "custom", message: `expected ${BUDGET_SYNTAX}, with at least 1 request per 1s or longer window` });
    return z.NEVER;
  }
  return budget;
});
