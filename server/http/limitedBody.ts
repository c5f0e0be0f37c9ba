import type { ApiRequest, BodyReader } from "./answer";

/**
 * Request bodies read with a byte budget. `req.text()` and `req.formData()`
 * buffer whatever the client sends before anyone can look at the size, so a
 * caller that wants a limit must judge by bytes on the way in: the declared
 * Content-Length first (nothing is read when it is already too big), then a
 * running count while streaming, which is what catches chunked bodies and
 * lying headers. Nothing past the first chunk over the limit is kept.
 */

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request body is larger than ${maxBytes} bytes.`);
    this.name = "BodyTooLargeError";
  }
}

/** The body as bytes, at most `maxBytes` of them; throws BodyTooLargeError past that. */
export async function readLimitedBytes(req: ApiRequest, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = req.headers.get("content-length");
  // A malformed header is no promise either way: the count below still holds.
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) throw new BodyTooLargeError(maxBytes);
  const reader = req.takeBody ? req.takeBody() : (req.body?.getReader() ?? null);
  if (!reader) return new Uint8Array(new ArrayBuffer(0));

  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    total += value.byteLength;
    if (total > maxBytes) {
      discardRest(reader);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** What is read and thrown away after the limit, at most, before the connection is cut. */
const DISCARD_BYTES = 1024 * 1024;
const DISCARD_MS = 10_000;

/**
 * After the limit, the rest of the body is read and thrown away (never
 * buffered) while the 413 goes out, up to DISCARD_BYTES or DISCARD_MS, and
 * only then cancelled. Cancelling at once destroys the socket while the
 * client is still sending, and the reset that follows can wipe the answer
 * from the client's receive buffer before it reads it (seen: a chunked 1 MB
 * upload that ended in EPIPE with no 413). The discarding is what HTTP
 * servers call a lingering close.
 */
function discardRest(reader: BodyReader): void {
  const cut = setTimeout(() => void reader.cancel().catch(() => {}), DISCARD_MS);
  void (async () => {
    let discarded = 0;
    try {
      while (discarded <= DISCARD_BYTES) {
        const { done, value } = await reader.read();
        if (done || !value) return;
        discarded += value.byteLength;
      }
      await reader.cancel();
    } catch {
      // the client went away, or the cut above came first
    } finally {
      clearTimeout(cut);
    }
  })();
}

/**
 * After the answer, a body its handler never read (refused before the body
 * mattered: a 404 project, a declared length over the limit) is discarded
 * the same way, so the connection is free for the client's next request.
 * Left unread, the rest of the body would sit in the socket, and the next
 * request on that keep-alive connection would wait behind it until the
 * connection timed out and was reset.
 */
export function discardUnread(req: ApiRequest): void {
  const reader = req.takeBody ? req.takeBody() : req.body && !req.body.locked ? req.body.getReader() : null;
  if (reader) discardRest(reader);
}

/** The body as UTF-8 text (malformed sequences replaced, as `req.text()` does), judged by bytes. */
export async function readLimitedText(req: ApiRequest, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readLimitedBytes(req, maxBytes));
}

/**
 * For handlers that read the body themselves (tRPC's fetch adapter,
 * next-auth): the same request with its body read here under the budget,
 * so what they read whole is never more than `maxBytes`. Throws
 * BodyTooLargeError past that; a GET or HEAD passes as it is.
 */
export async function withLimitedBody(req: Request, maxBytes: number): Promise<Request> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const body = await readLimitedBytes(req, maxBytes);
  const headers = new Headers(req.headers);
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return new Request(req.url, { method: req.method, headers, body, signal: req.signal });
}
