/**
 * Structured JSON logs, one object per line. Callers pass ids and outcomes,
 * never tokens, secrets or hashes.
 */
type Level = "info" | "warn" | "error";

export type LogSink = (line: string, level: Level) => void;

/**
 * Info lines (one per request) are written in batches: whatever this turn of
 * the event loop logged goes out in one write when it ends, not one write
 * per line (a synchronous system call each when stdout is a file or a pipe;
 * about 4 % of the API's CPU under load). Warnings and errors are written at
 * once, and what is pending is flushed when the process exits.
 */
let pending = "";
function flush() {
  const out = pending;
  pending = "";
  if (out) process.stdout.write(out);
}
process.once("exit", flush);

const standardSink: LogSink = (line, level) => {
  if (level !== "info") return void process.stderr.write(line + "\n");
  if (!pending) setImmediate(flush);
  pending += line + "\n";
};

// One sink per process, whichever copy of this module writes: the front and
// the route modules `next build` compiled each hold a copy, and a test that
// captures the log must see the lines of both.
const holder = globalThis as unknown as { __layersLogSink?: LogSink };

export function setLogSink(next: LogSink): LogSink {
  const previous = holder.__layersLogSink ?? standardSink;
  holder.__layersLogSink = next;
  return previous;
}

function write(level: Level, msg: string, fields: Record<string, unknown>) {
  (holder.__layersLogSink ?? standardSink)(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }), level);
}

export const log = {
  info: (msg: string, fields: Record<string, unknown> = {}) => write("info", msg, fields),
  warn: (msg: string, fields: Record<string, unknown> = {}) => write("warn", msg, fields),
  error: (msg: string, fields: Record<string, unknown> = {}) => write("error", msg, fields),
};

/**
 * Logs a recurring fault at most once per interval, with how many were
 * suppressed since, so a dead dependency does not flood the log.
 */
export function throttledFaultLog(msg: string, intervalMs = 60_000) {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (error: unknown, fields: Record<string, unknown> = {}) => {
    const now = Date.now();
    if (now - lastAt < intervalMs) {
      suppressed++;
      return;
    }
    log.error(msg, { ...fields, error: describeError(error), suppressedSinceLast: suppressed });
    lastAt = now;
    suppressed = 0;
  };
}

/**
 * One line about an error, safe to log. Drizzle's query errors carry the SQL
 * and its bound parameters (hashes, sealed tokens, whatever a caller sent):
 * only the driver's cause is described for them. A database's own message
 * quotes the value it refused (`invalid input syntax for type uuid: "..."`),
 * so quoted parts and byte dumps are blanked; the SQLSTATE and the
 * constraint, table and column it names say where without saying what.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.message.startsWith("Failed query:")) return `query failed: ${describeError(error.cause ?? "unknown cause")}`;
    const code = (error as { code?: unknown }).code;
    const head = `${error.name}${typeof code === "string" ? ` [${code}]` : ""}`;
    if (isDatabaseError(error)) return `${head}: ${blankValues(error.message)}${databaseWhere(error)}`;
    return `${head}: ${error.message}`;
  }
  return typeof error === "string" ? error : `a thrown ${error === null ? "null" : typeof error}`;
}

type DatabaseErrorFields = { severity?: unknown; constraint?: unknown; constraint_name?: unknown; table?: unknown; table_name?: unknown; column?: unknown; column_name?: unknown };

/** PostgreSQL's errors as postgres-js (PostgresError) and PGlite (DatabaseError) raise them: a severity and a SQLSTATE. */
function isDatabaseError(error: Error): boolean {
  const { severity } = error as DatabaseErrorFields;
  const code = (error as { code?: unknown }).code;
  return typeof severity === "string" && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
}

const blankValues = (message: string) => message.replace(/"[^"]*"/g, '"…"').replace(/\b0x[0-9a-f]+(\s+0x[0-9a-f]+)*/gi, "0x…");

function databaseWhere(error: Error): string {
  const e = error as DatabaseErrorFields;
  const parts = Object.entries({ constraint: e.constraint_name ?? e.constraint, table: e.table_name ?? e.table, column: e.column_name ?? e.column })
    .filter(([, value]) => typeof value === "string" && value)
    .map(([name, value]) => `${name} ${value}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
