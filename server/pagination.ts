import { validationError } from "./errors";

/** Opaque cursors: base64url of the sort key of the last row on a page. */
export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === "string")) return parts;
  } catch {
    // fall through to the validation error
  }
  throw validationError([{ path: "cursor", message: "must be a nextCursor from an earlier page" }]);
}
