import type { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "@/server/services";
import { startTestServices } from "@/test-support/harness";
import { POST } from "./route";

let services: Services;
beforeAll(async () => {
  services = await startTestServices();
});
afterAll(() => services.close());

/** A POST to next-auth's credentials callback, as a browser form sends it. */
const signInPost = (body: BodyInit | ReadableStream) =>
  POST(
    new Request(`${services.config.publicUrl}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      duplex: "half",
    } as RequestInit) as NextRequest,
  );

describe("next-auth's POST endpoints: body bounds", () => {
  it("413 for a 70 KiB form, before next-auth reads it", async () => {
    const res = await signInPost(`email=a%40example.com&password=${"x".repeat(70 * 1024)}`);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", requestId: res.headers.get("x-request-id") });
  });

  it("413 for a chunked 1 MB body with no Content-Length, without reading it all", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1024 * 1024) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
      },
    });
    expect((await signInPost(stream)).status).toBe(413);
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it("hands a small body on to next-auth (a sign-in without a CSRF token is its own redirect, not ours)", async () => {
    const res = await signInPost("email=a%40example.com&password=wrong");
    expect(res.status).not.toBe(413);
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/error=/);
  });
});
