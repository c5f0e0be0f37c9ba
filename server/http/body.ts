import { findNul, MAX_JSON_DEPTH, parseJsonBounded } from "../contract/safeJson";
import { AppError, validationError } from "../errors";
import type { ApiRequest } from "./answer";
import { BodyTooLargeError, readLimitedText } from "./limitedBody";

/** Every body the console and the API accept is small JSON; judged by bytes, before parsing (CONTRACT.md §3). */
export const MAX_BODY_BYTES = 64 * 1024;

export const payloadTooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB. Send a smaller body.`);

/**
 * Reads a JSON request body of at most 64 KiB: larger is 413
 * PAYLOAD_TOO_LARGE (Content-Length first, then counted while streaming);
 * not JSON, nested deeper than 32 levels or holding a NUL in any string is a
 * VALIDATION error.
 */
export async function readJsonBody(req: ApiRequest): Promise<unknown> {
  let text: string;
  try {
    text = await readLimitedText(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw payloadTooLarge();
    // The client went away mid-body: nothing to answer, and no fault of ours.
    throw validationError([{ path: "(body)", message: "could not be read" }], "The request body could not be read.");
  }
  if (!text.trim()) throw validationError([{ path: "(body)", message: "a JSON body is required" }], "The request body is empty: send a JSON object.");
  const parsed = parseJsonBounded(text);
  if (!parsed.ok && parsed.reason === "too_deep") {
    throw validationError([{ path: "(body)", message: `nests deeper than ${MAX_JSON_DEPTH} levels` }], "The request body nests too deeply.");
  }
  if (!parsed.ok) throw validationError([{ path: "(body)", message: "is not valid JSON" }], "The request body is not valid JSON.");
  const nulAt = findNul(parsed.value);
  if (nulAt !== null) throw validationError([{ path: nulAt, message: "must not contain a NUL character" }]);
  return parsed.value;
}
