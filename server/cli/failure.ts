import { EnvError } from "../env";
import { isDatabaseUnavailable, type Issue, toAppError, validationError } from "../errors";
import { EmbeddedDatabaseBusyError } from "../services";
import { UsageError } from "./args";
import { Interrupted } from "./prompt";

// Domain input fields named as the CLI spells them.
const SUBJECTS: Record<string, string> = {
  name: "--name",
  scopes: "--scopes",
  mode: "--mode",
  allow: "--allow",
  writeLimit: "--write-limit",
  readLimit: "--read-limit",
  email: "--email",
  role: "--role",
  password: "the password",
  url: "URL",
  events: "--events",
  description: "--description",
};

/** Validation issues as one line, in the CLI's words. */
export function describeIssues(issues: Issue[]): string {
  return issues
    .map(({ path, message }) => {
      const field = path.split(".")[0]!;
      const subject = SUBJECTS[field] ?? field;
      return message.startsWith("must ") ? `${subject} ${message}` : `${subject}: ${message}`;
    })
    .join("; ");
}

const GENERIC_VALIDATION_MESSAGE = validationError([]).message;

/**
 * Failures the caller can fix by changing the command line exit 2. An id
 * that is well-formed but names nothing is not a usage mistake: like any
 * other failed operation it exits 1, with "… was not found".
 */
const USAGE_CODES = new Set(["VALIDATION"]);

/**
 * The one stderr line (null: none) and exit status for anything a run throws.
 * Domain errors and faults go through `toAppError`, as on REST and tRPC:
 * a fault is logged there (to stderr, without a failed query's parameters)
 * and answered with a message that carries the run's request id.
 */
export function failure(error: unknown, requestId: string, context: Record<string, unknown>): { line: string | null; status: number } {
  if (error instanceof UsageError) return { line: error.message, status: 2 };
  if (error instanceof Interrupted) return { line: null, status: 130 };
  // Not faults of the run: the environment, which the message says how to fix.
  if (error instanceof EnvError) return { line: `configuration error: ${error.message}`, status: 1 };
  if (error instanceof EmbeddedDatabaseBusyError) return { line: error.message, status: 1 };

  const appError = toAppError(error, requestId, context);
  if (USAGE_CODES.has(appError.code)) {
    const issues = appError.extra.issues ?? [];
    const line = issues.length && appError.message === GENERIC_VALIDATION_MESSAGE ? describeIssues(issues) : appError.message;
    return { line, status: 2 };
  }
  if (appError.code === "UNAVAILABLE" && isDatabaseUnavailable(error)) return { line: `cannot reach the database in DATABASE_URL (request id ${requestId}; the log line above says why)`, status: 1 };
  return { line: appError.message, status: 1 };
}
