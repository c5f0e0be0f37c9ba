import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes (CONTRACT.md §8). */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/**
 * The Standard Webhooks headers for one message: its id (the event id, the
 * same on every retry), the time of this send, and one `v1,<base64>`
 * signature per secret, space-separated (two while a rotation overlaps).
 * Signed by the `standardwebhooks` library, as receivers verify it.
 */
export function signedHeaders(messageId: string, body: string, sentAt: Date, secrets: readonly string[]): Record<string, string> {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(messageId, sentAt, body)).join(" "),
  };
}
