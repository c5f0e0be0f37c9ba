import { describe, expect, it, vi } from "vitest";
import { BodyTooLargeError, readLimitedBytes, readLimitedText } from "./limitedBody";

/** A body of `chunks` chunks of `size` bytes that records how much was pulled and whether it was cancelled. */
function countingBody(chunks: number, size: number) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === chunks) return controller.close();
      seen.pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

const post = (body: BodyInit | ReadableStream, headers: Record<string, string> = {}) =>
  new Request("http://layers.test/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readLimitedText", () => {
  it("reads a body up to the limit exactly, judged by bytes (not characters)", async () => {
    expect(await readLimitedText(post("a".repeat(1024)), 1024)).toBe("a".repeat(1024));
    // 512 three-byte characters are 1536 bytes: over a 1 KiB limit though only 512 characters.
    await expect(readLimitedText(post("€".repeat(512)), 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it("refuses on Content-Length alone, reading nothing", async () => {
    const { stream, seen } = countingBody(100, 1024);
    const error = await readLimitedText(post(stream, { "content-length": String(100 * 1024) }), 64 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).maxBytes).toBe(64 * 1024);
    expect(seen.pulled).toBeLessThanOrEqual(1); // the stream may pre-fill one chunk; nothing is consumed
  });

  it("counts a body without Content-Length and keeps nothing past the first chunk over the limit", async () => {
    const { stream, seen } = countingBody(10_000, 1024);
    await expect(readLimitedBytes(post(stream), 64 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    // The 413 is thrown at the 65th chunk; the rest is then read and thrown away
    // up to 1 MiB (a lingering close), and only then cancelled: the other ~9 MB are never pulled.
    await vi.waitFor(() => expect(seen.cancelled).toBe(true));
    expect(seen.pulled).toBeGreaterThan(64 + 1024);
    expect(seen.pulled).toBeLessThan(64 + 1024 + 10);
  });

  it("reads a slightly-too-large body to its end instead of cutting it off, so the client can read the 413", async () => {
    const { stream, seen } = countingBody(100, 1024);
    await expect(readLimitedBytes(post(stream), 64 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    await vi.waitFor(() => expect(seen.pulled).toBe(100));
    expect(seen.cancelled).toBe(false);
  });

  it("does not believe a Content-Length that understates the body", async () => {
    const { stream } = countingBody(100, 1024);
    await expect(readLimitedBytes(post(stream, { "content-length": "10" }), 64 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it("ignores a malformed Content-Length and counts instead", async () => {
    expect(await readLimitedText(post("hello", { "content-length": "lots" }), 1024)).toBe("hello");
  });

  it("an absent body is empty", async () => {
    expect(await readLimitedText(new Request("http://layers.test/"), 1024)).toBe("");
  });
});
