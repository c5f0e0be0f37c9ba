/** Webhook words shared by the console's webhook pages. Pure: safe on the server and the client. */

import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "@/server/contract/vocabulary";

/** The types an endpoint may choose. The test event is not one: "Send test event" reaches an endpoint whatever it takes. */
export const CHOOSABLE_EVENTS = WEBHOOK_EVENT_TYPES.filter((type) => type !== "webhook.test");

export const EVENT_HINT: Record<WebhookEventType, string> = {
  "social_account.connected": "an end-customer connected or reconnected an account",
  "oauth_attempt.failed": "a connection attempt failed",
  "social_account.needs_reauth": "an account can no longer be refreshed: its end-customer must connect again",
  "social_account.disconnected": "an account was disconnected",
  "webhook.test": "sent from this console",
};

/** True when an endpoint takes every type (it was created with none named, or with all). */
export const takesEveryEvent = (events: readonly string[]) => CHOOSABLE_EVENTS.every((type) => events.includes(type));

type Endpoint = { status: string; disabledReason: string | null };

/** Why an endpoint is disabled, in plain words (CONTRACT.md §8). */
export const DISABLED_REASON: Record<string, string> = {
  manual: "Disabled by an admin.",
  gone: "Disabled because the receiver answered 410 Gone.",
  failing: "Disabled because every delivery failed for 5 days.",
};

export function disabledWhy(endpoint: Endpoint): string | null {
  if (endpoint.status !== "disabled") return null;
  return DISABLED_REASON[endpoint.disabledReason ?? ""] ?? "Disabled.";
}

export const DELIVERY_STATUS: Record<string, { label: string; tone: "green" | "red" | "amber" }> = {
  succeeded: { label: "Succeeded", tone: "green" },
  failed: { label: "Failed", tone: "red" },
  pending: { label: "Pending", tone: "amber" },
};
