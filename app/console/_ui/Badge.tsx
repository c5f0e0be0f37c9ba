import styles from "../console.module.css";

type Tone = "green" | "red" | "amber" | "blue" | "neutral";

const TONE_CLASS: Record<Tone, string | undefined> = {
  green: styles.badgeGreen,
  red: styles.badgeRed,
  amber: styles.badgeAmber,
  blue: styles.badgeBlue,
  neutral: undefined,
};

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: React.ReactNode }) {
  return <span className={[styles.badge, TONE_CLASS[tone]].filter(Boolean).join(" ")}>{children}</span>;
}

const STATUS_TONE: Record<string, Tone> = {
  completed: "green",
  failed: "red",
  pending: "amber",
  expired: "amber",
  active: "green",
  needs_reauth: "amber",
  disconnected: "neutral",
};
const STATUS_LABEL: Record<string, string> = {
  completed: "Completed",
  failed: "Failed",
  pending: "Pending",
  expired: "Expired",
  active: "Active",
  needs_reauth: "Needs reauth",
  disconnected: "Disconnected",
};

/** Attempt and account statuses: completed/active green, failed red, pending/expired amber. */
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? "neutral"}>{STATUS_LABEL[status] ?? status}</Badge>;
}

export function ModeBadge({ live }: { live: boolean }) {
  return <Badge tone={live ? "blue" : "neutral"}>{live ? "Live" : "Test"}</Badge>;
}
