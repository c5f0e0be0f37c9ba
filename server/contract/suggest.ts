/**
 * "Did you mean": the known name a mistyped one most likely meant. Used for
 * unknown body fields on /v1 and unknown `ladmin` options. A name that
 * differs only in letter case or in its word separators (`returnURL`,
 * `usage_note`) is a match; otherwise the nearest name at most two edits
 * away (one for short names), if only one is that near.
 */
export function closestName(given: string, known: readonly string[]): string | undefined {
  const plain = (name: string) => name.toLowerCase().replace(/[-_\s]/g, "");
  const same = known.find((name) => plain(name) === plain(given));
  if (same !== undefined) return same;
  const allowed = plain(given).length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const name of known) {
    const distance = editDistance(plain(given), plain(name));
    if (distance < bestDistance) [best, bestDistance, tie] = [name, distance, false];
    else if (distance === bestDistance) tie = true;
  }
  return bestDistance <= allowed && !tie ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The message for fields a strict body does not know: each named, with its likely meaning. */
export function unknownFieldsMessage(keys: readonly string[], known: readonly string[]): string {
  const described = keys.map((key) => {
    const meant = closestName(key, known);
    return meant === undefined ? `\`${key}\`` : `\`${key}\` (did you mean \`${meant}\`?)`;
  });
  const knownList = known.map((name) => `\`${name}\``).join(", ");
  return `unknown field${keys.length > 1 ? "s" : ""} ${described.join(", ")}; the fields are ${knownList}`;
}
