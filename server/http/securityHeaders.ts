/**
 * Headers on every answer, pages and API alike. next.config.ts gives them to
 * whatever Next serves; the /v1 front (v1Front.ts) adds them to its answers.
 * No imports: next.config.ts loads this file too.
 *
 * Hosted pages are never framed: the platforms forbid framing their consent
 * flow, and a framed connect page would invite clickjacking.
 */
export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // No referrer leaves for other origins (hosted URLs carry the state); same-origin
  // form posts keep a real Origin header, which the sandbox consent form checks.
  { key: "Referrer-Policy", value: "same-origin" },
];
