/**
 * The text of every JSON answer: the body and a newline, so a terminal
 * (curl) ends the output on a line of its own. No imports: scripts/serve.ts
 * loads this file as it is.
 */
export function jsonText(body: unknown): string {
  return `${JSON.stringify(body)}\n`;
}
