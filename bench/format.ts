/** Printing helpers shared by the benchmark's modules. */

// A closed stdout (`npm run bench | head`) must not kill the run before it cleans up.
let stdoutOpen = true;
process.stdout.on("error", () => (stdoutOpen = false));

export function log(line: string) {
  if (stdoutOpen) process.stdout.write(`${line}\n`);
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const fmtMb = (mb: number | null) => (mb === null ? "n/a" : `${fmt(mb, 0)} MB`);
export const loads = (l: number[]) => l.map((n) => n.toFixed(2)).join(" ");
export const metText = (met: boolean) => (met ? "MET" : "NOT MET");

/** Left-aligned first column, right-aligned others. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n");
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of a list of milliseconds, rounded to 0.01 ms. */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!, 2);
  return { p50: at(50), p90: at(90), p99: at(99), max: round(sorted.at(-1)!, 2), mean: round(values.reduce((a, b) => a + b, 0) / values.length, 2) };
}
