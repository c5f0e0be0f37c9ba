import { z } from "zod";
import { CURSOR_MESSAGE, pageCursor } from "./contract/api";
import { validationError } from "./errors";

/** A cursor as a caller may send it (the public API's shape, also for the console's lists). */
export const cursorSchema = pageCursor;

/** Opaque cursors: base64url of the sort key of the last row on a page. */
export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/**
 * The sort key a cursor carries, checked against `shape` (the tuple of its
 * parts), so a forged or stale cursor is a VALIDATION error and never
 * reaches SQL as something else.
 */
export function decodeCursor<T extends z.ZodTuple>(cursor: string, shape: T): z.output<T> {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString());
  } catch {
    parts = undefined;
  }
  const parsed = shape.safeParse(parts);
  if (!parsed.success) throw validationError([{ path: "cursor", message: CURSOR_MESSAGE }]);
  return parsed.data;
}

/** Queries fetch `limit + 1` rows; the extra one only says whether there is a next page. */
export function page<T>(rows: T[], limit: number, sortKey: (row: T) => string[]): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(sortKey(last)) : null };
}
