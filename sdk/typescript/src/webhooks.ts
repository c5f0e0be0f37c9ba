import { LayersWebhookError } from "./errors.js";
import type { WebhookEvent } from "./types.js";

/**
 * Standard Webhooks verification (https://www.standardwebhooks.com/), as
 * Layers signs its deliveries (CONTRACT.md §8), with the Web Crypto API
 * alone, so it needs no package and runs wherever `crypto.subtle` does
 * (Node 20+, Deno, Bun, edge runtimes). Web Crypto is asynchronous, so
 * verification is too.
 */

/** Request headers: a `Headers` (fetch, Next.js, edge runtimes) or a plain object with names in any case (Node's `req.headers`, Express). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, in seconds (300 by default): older deliveries are refused as possible replays. */
  toleranceSeconds?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";

/**
 * Checks that `body` was signed by Layers with `secret` (the endpoint's
 * `whsec_...`, from its creation or latest rotation) and is recent, and
 * answers the event it carries. Pass the body exactly as received, before
 * any JSON parsing: a re-serialised body does not verify.
 *
 * Throws LayersWebhookError (MISSING_HEADERS, INVALID_SECRET,
 * INVALID_SIGNATURE, TIMESTAMP_OUT_OF_RANGE, INVALID_PAYLOAD) when the
 * delivery must not be trusted: answer it 400 and do nothing else.
 */
export async function verifyWebhook(body: string | Uint8Array, headers: WebhookHeaders, secret: string, options: VerifyOptions = {}): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new LayersWebhookError("MISSING_HEADERS", "The request lacks a webhook-id, webhook-timestamp or webhook-signature header: it is not a Layers delivery.");
  }
  if (!/^\d+$/.test(timestamp)) throw new LayersWebhookError("MISSING_HEADERS", "The webhook-timestamp header is not a number of seconds.");
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) {
    throw new LayersWebhookError("TIMESTAMP_OUT_OF_RANGE", `The webhook-timestamp is more than ${tolerance} s from now: a replayed delivery, or a clock that is off.`);
  }

  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("Layers.webhooks.verify needs the Web Crypto API (crypto.subtle): Node 20+, or a secure (https) browser context.");
  const key = await subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const bodyBytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const signed = concat(new TextEncoder().encode(`${id}.${timestamp}.`), bodyBytes);

  // Space-separated `v1,<base64>` entries: two while a rotated-out secret still signs. Any one that matches will do.
  let valid = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const signature = base64Bytes(entry.slice(comma + 1));
    // subtle.verify compares in constant time.
    if (signature && (await subtle.verify("HMAC", key, signature, signed))) {
      valid = true;
      break;
    }
  }
  if (!valid) throw new LayersWebhookError("INVALID_SIGNATURE", "No signature in webhook-signature matches this body and secret: the body was changed, or the secret is not this endpoint's.");

  let event: unknown;
  try {
    event = JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body));
  } catch (error) {
    throw new LayersWebhookError("INVALID_PAYLOAD", "The delivery is signed but its body is not JSON.", { cause: error });
  }
  if (typeof (event as { type?: unknown } | null)?.type !== "string") {
    throw new LayersWebhookError("INVALID_PAYLOAD", "The delivery is signed but its body is not an event ({ type, timestamp, data }).");
  }
  return event as WebhookEvent;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(" ") : value;
  }
  return undefined;
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = base64Bytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (!bytes || bytes.length === 0) throw new LayersWebhookError("INVALID_SECRET", "The webhook secret is not whsec_ followed by base64: copy it whole from the endpoint's creation or rotation.");
  return bytes;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
