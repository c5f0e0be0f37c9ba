import type { z } from "zod";
import { validationError, zodIssues } from "./errors";

/** Parses with zod; a failure becomes the contract's VALIDATION error. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(zodIssues(result.error));
  return result.data;
}
