/** Display helpers shared by the console pages. Pure functions: safe on the server and the client. */

import type { ReauthReason } from "@/server/contract/vocabulary";

export const PLATFORM_LABEL: Record<string, string> = { tiktok: "TikTok", instagram: "Instagram" };
export const platformLabel = (platform: string) => PLATFORM_LABEL[platform] ?? platform;

export const ROLE_LABEL: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member" };
export const roleLabel = (role: string) => ROLE_LABEL[role] ?? role;

const ACTION_LABEL: Record<string, string> = {
  "api_key.created": "created API key",
  "api_key.revoked": "revoked API key",
  "api_key.budgets_changed": "changed the budgets of API key",
  "allowlist.added": "added a return URL to API key",
  "allowlist.removed": "removed a return URL from API key",
  "account.connected": "connected an account",
  "account.disconnected": "disconnected an account",
  "account.refreshed": "refreshed the tokens of an account",
  "account.reconnected": "reconnected an account",
  "user.signed_in": "signed in",
  "user.signed_out": "signed out",
  "user.created": "added member",
  "org.created": "created the organization",
  "org.set_up": "set up the organization",
  "project.created": "created project",
  "project.renamed": "renamed project",
  "project.archived": "archived project",
  "webhook_endpoint.created": "created webhook endpoint",
  "webhook_endpoint.deleted": "deleted webhook endpoint",
  "webhook_endpoint.enabled": "enabled webhook endpoint",
  "webhook_endpoint.disabled": "disabled webhook endpoint",
  "webhook_endpoint.secret_rotated": "rotated the signing secret of webhook endpoint",
  "webhook_event.resent": "resent an event to webhook endpoint",
};

/** "api_key.revoked" -> "revoked API key"; unknown actions still read as words. */
export function actionLabel(action: string): string {
  const known = ACTION_LABEL[action];
  if (known) return known;
  const [noun = action, verb = ""] = action.split(".");
  return `${verb.replace(/_/g, " ")} ${noun.replace(/_/g, " ")}`.trim();
}

/** Shows the start of a long id (st_01HX…) while keeping the whole id for assistive tech and copy/paste. */
export function splitId(id: string, visible = 11): [string, string] {
  return id.length <= visible + 2 ? [id, ""] : [id.slice(0, visible), id.slice(visible)];
}

/** Success rate of finished attempts, or null when none finished. */
export function successRate(day: { completed: number; failed: number; expired: number }): number | null {
  const finished = day.completed + day.failed + day.expired;
  return finished === 0 ? null : day.completed / finished;
}

export const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 100)}%`);

const UTC_DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const LOCAL_DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export const formatUtc = (iso: string) => `${UTC_DATE_TIME.format(new Date(iso))} UTC`;
export const formatLocal = (iso: string) => LOCAL_DATE_TIME.format(new Date(iso));

/** "2025-11-25" -> "Tue 25" in UTC (the days come from the server as UTC calendar days). */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric" }).format(date);
}
export function longDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" }).format(date);
}

/** Why an account needs its end-customer, short enough for a table cell (REAUTH_REASONS in the contract). */
export const REAUTH_LABEL: Record<ReauthReason, string> = {
  refresh_token_expired: "Refresh token expired",
  token_revoked: "Access withdrawn",
  permission_removed: "Permission removed",
  refresh_failed: "Refresh interrupted",
};
/** The same reasons in a sentence, for where there is room (a tooltip). */
export const REAUTH_DETAIL: Record<ReauthReason, string> = {
  refresh_token_expired: "The credential that refreshes this account's tokens ran out before it was used.",
  token_revoked: "The end-customer or the platform withdrew the authorization.",
  permission_removed: "A permission the refresh needs was taken back.",
  refresh_failed: "A refresh was cut off after it may have used the refresh token, which cannot be sent twice.",
};
export const reauthLabel = (reason: string) => REAUTH_LABEL[reason as ReauthReason] ?? reason.replace(/_/g, " ");
export const reauthDetail = (reason: string) => REAUTH_DETAIL[reason as ReauthReason] ?? reauthLabel(reason);

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "always" });

/** "in 3 hours", "5 minutes ago": `target` as seen from `now`, in the largest unit that reads naturally. */
export function relativeTime(target: number, now: number): string {
  const diff = target - now;
  const abs = Math.abs(diff);
  const sign = diff < 0 ? -1 : 1;
  if (abs < 60_000) return diff <= 0 ? "just now" : "in less than a minute";
  // Units are picked after rounding, so 59.6 minutes reads "in 1 hour", never "in 60 minutes".
  const minutes = Math.round(abs / 60_000);
  if (minutes < 60) return RELATIVE.format(sign * minutes, "minute");
  const hours = Math.round(abs / 3_600_000);
  if (hours < 24) return RELATIVE.format(sign * hours, "hour");
  const days = Math.round(abs / 86_400_000);
  if (days < 60) return RELATIVE.format(sign * days, "day");
  return RELATIVE.format(sign * Math.round(abs / (30 * 86_400_000)), "month");
}

/** An interval in words: 300000 -> "5 minutes", 2000 -> "2 seconds". */
export function durationWords(ms: number): string {
  for (const [unit, size] of [["day", 86_400_000], ["hour", 3_600_000], ["minute", 60_000], ["second", 1_000]] as const) {
    if (ms >= size && ms % size === 0) return ms === size ? `1 ${unit}` : `${ms / size} ${unit}s`;
  }
  return `${ms} ms`;
}
