/**
 * Structured JSON logs, one object per line. Callers pass ids and outcomes,
 * never tokens, secrets or hashes.
 */
type Level = "info" | "warn" | "error";

export type LogSink = (line: string, level: Level) => void;

let sink: LogSink = (line, level) => (level === "info" ? process.stdout : process.stderr).write(line + "\n");

export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

function write(level: Level, msg: string, fields: Record<string, unknown>) {
  sink(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }), level);
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
 * One line about an error, safe to log. Drizzle's query errors carry the
 * bound parameters, which can include hashes and sealed tokens: only the
 * driver's cause is described for them.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.message.startsWith("Failed query:")) return `query failed: ${describeError(error.cause ?? "unknown cause")}`;
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${error.message}`;
  }
  return String(error);
}
