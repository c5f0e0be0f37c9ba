import { expect } from "vitest";
import type { Fetch } from "@/server/oauth/platforms/http";
import { PlatformError } from "@/server/oauth/platforms/types";

/**
 * A fake platform for the adapters' unit tests: it answers with recorded
 * replies, in order, and records exactly what the adapter sent.
 */

export interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  form: URLSearchParams | null;
  redirect: RequestRedirect | undefined;
}
export type Reply = (sent: Sent, signal: AbortSignal | null | undefined) => Response | Promise<Response>;

export function fakePlatform(...replies: Reply[]) {
  const sent: Sent[] = [];
  const fetch: Fetch = async (url, init) => {
    const headers = new Headers(init.headers);
    const request: Sent = {
      method: init.method ?? "GET",
      url: new URL(url),
      headers,
      form: typeof init.body === "string" ? new URLSearchParams(init.body) : null,
      redirect: init.redirect,
    };
    sent.push(request);
    const reply = replies[sent.length - 1];
    if (!reply) throw new Error(`fake platform: unexpected request #${sent.length}`);
    return reply(request, init.signal);
  };
  return { fetch, sent };
}

export const reply =
  (status: number, body: string, contentType = "application/json"): Reply =>
  () =>
    new Response(body, { status, headers: { "content-type": contentType } });

/** Never answers, but gives up when the adapter's signal aborts, as fetch does. */
export const hang: Reply = (_sent, signal) =>
  new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));

export const networkDown: Reply = (sent) => {
  // undici puts the failing address in its error; make sure a URL with secrets would be scrubbed too.
  throw new TypeError(`fetch failed: ${sent.url.toString()} ${sent.form?.toString() ?? ""}`);
};

/** Awaits a promise that must fail with a PlatformError, and returns the error. */
export async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a PlatformError, got success");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}
