/**
 * The path a log line names: never the query (states and codes are bearer
 * secrets) and, where a path segment is an attempt's state, its route pattern.
 * No runtime imports: the front (scripts/serve.ts) runs it by type stripping.
 */
const STATE_PATHS: ReadonlyArray<[RegExp, string]> = [
  [/^\/v1\/social\/oauth-status\/[^/]+$/, "/v1/social/oauth-status/:state"],
  [/^\/connect\/(?!return(?:\/|$))[^/]+$/, "/connect/:state"],
  [/^\/connect\/[^/]+\/go$/, "/connect/:state/go"],
];

export function logRoute(target: string): string {
  const q = target.search(/[?#]/);
  const path = q === -1 ? target : target.slice(0, q);
  for (const [pattern, route] of STATE_PATHS) if (pattern.test(path)) return route;
  // Bounded: a log line is not a place for a megabyte of path.
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
