import { validationError } from "../errors";

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON request body; anything else is a VALIDATION error. */
export async function readJsonBody(req: Request): Promise<unknown> {
  let text: string;
  try {
    text = await req.text();
  } catch {
    // The client went away mid-body: nothing to answer, and no fault of ours.
    throw validationError([{ path: "(body)", message: "could not be read" }], "The request body could not be read.");
  }
  if (text.length > MAX_BODY_BYTES) throw validationError([{ path: "(body)", message: `must be at most ${MAX_BODY_BYTES} bytes` }]);
  if (!text.trim()) throw validationError([{ path: "(body)", message: "a JSON body is required" }], "The request body is empty: send a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw validationError([{ path: "(body)", message: "is not valid JSON" }], "The request body is not valid JSON.");
  }
}
