/** Display helpers shared by the console pages. Pure functions: safe on the server and the client. */

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
  "account.reconnected": "reconnected an account",
  "user.signed_in": "signed in",
  "user.created": "added member",
  "org.created": "created the organization",
  "org.set_up": "set up the organization",
  "project.created": "created project",
  "project.renamed": "renamed project",
  "project.archived": "archived project",
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
