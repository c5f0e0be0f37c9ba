/**
 * One webhook POST (CONTRACT.md §8): 15 s for the whole exchange, redirects
 * not followed (a 3xx is a failed delivery), the connection made only to an
 * address the guard allows, and the answer's body read only as far as a
 * short excerpt for the console.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { guardedLookup, type Lookup } from "./address";

export const WEBHOOK_TIMEOUT_MS = 15_000;
/** What of an answer's body is kept for the console: enough to see an error message, never more. */
const BODY_EXCERPT_BYTES = 512;

export interface SendResult {
  /** The HTTP status, or null when no answer came. */
  status: number | null;
  latencyMs: number;
  /** Why there was no answer (timeout, refused, blocked address), or what the answer said, briefly. */
  error: string | null;
}

export interface SendOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  /** The resolver (tests pass one to play a DNS rebinding). */
  lookup?: Lookup;
}

export function sendWebhook(url: string, headers: Record<string, string>, body: string, opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Omit<SendResult, "latencyMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
    };
    const req = request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Layers-Connect-Webhooks/1" },
        lookup: guardedLookup({ allowPrivate: opts.allowPrivate }, opts.lookup) as never,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let excerpt = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (excerpt.length < BODY_EXCERPT_BYTES) excerpt += chunk.slice(0, BODY_EXCERPT_BYTES - excerpt.length);
          else res.destroy();
        });
        const answered = () => done({ status, error: status >= 200 && status < 300 ? null : describeAnswer(status, excerpt, res.headers.location) });
        res.on("end", answered);
        res.on("close", answered);
      },
    );
    const timer = setTimeout(() => {
      done({ status: null, error: `no answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => done({ status: null, error: error.code === "EBLOCKEDADDRESS" ? error.message : `${error.code ?? "error"}: ${error.message}` }));
    req.end(body);
  });
}

function describeAnswer(status: number, excerpt: string, location: string | undefined): string {
  if (status >= 300 && status < 400) return `redirect to ${location ?? "(no Location)"} not followed`;
  return excerpt.trim() ? `HTTP ${status}: ${excerpt.trim().slice(0, 200)}` : `HTTP ${status}`;
}
