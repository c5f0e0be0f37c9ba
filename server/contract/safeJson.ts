/**
 * Input every surface refuses before it reaches the domain (CONTRACT.md §3):
 * JSON nested deeper than 32 levels and strings holding a NUL character.
 * Deep JSON would overflow recursive code (the idempotency fingerprint walks
 * the body), and PostgreSQL refuses \u0000 in text, so a NUL that reached a
 * query would be a 500 instead of the caller's 400.
 */

export const MAX_JSON_DEPTH = 32;

export type JsonOutcome = { ok: true; value: unknown } | { ok: false; reason: "invalid" | "too_deep" };

/**
 * The deepest nesting of arrays and objects in a JSON text, found by one pass
 * over the characters (no recursion, so a 100k-deep array costs a counter).
 * Brackets inside strings do not count. On malformed text the count is still
 * an upper bound of what JSON.parse could build.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** JSON.parse, refusing text nested deeper than MAX_JSON_DEPTH before parsing it. */
export function parseJsonBounded(text: string): JsonOutcome {
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { ok: false, reason: "too_deep" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // SyntaxError, or a RangeError from an engine that recursed out of stack anyway.
    return { ok: false, reason: "invalid" };
  }
}

/**
 * Where a string (value or object key) holding a NUL character is, as
 * an issue path ("usageNote", "scopes.1"), or null when there is none. Walks
 * with an explicit stack, so any depth is safe.
 */
export function findNul(value: unknown, root = ""): string | null {
  const stack: Array<[unknown, string]> = [[value, root]];
  const seen = new Set<object>();
  while (stack.length) {
    const [current, path] = stack.pop()!;
    if (typeof current === "string") {
      if (current.includes("\u0000")) return path || "(body)";
    } else if (current && typeof current === "object") {
      if (seen.has(current)) continue;
      seen.add(current);
      const entries: Iterable<[string, unknown]> =
        current instanceof URLSearchParams || current instanceof Map ? (current as Map<string, unknown>).entries() : Object.entries(current);
      for (const [key, inner] of entries) {
        const shown = key.replaceAll("\u0000", "\\u0000");
        const innerPath = path ? `${path}.${shown}` : shown;
        if (shown !== key) return innerPath;
        stack.push([inner, innerPath]);
      }
    }
  }
  return null;
}
