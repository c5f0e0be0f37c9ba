"use client";

import { useSyncExternalStore } from "react";
import { formatLocal, formatUtc, relativeTime } from "./format";

/** Relative times move on by themselves: "now" is re-read every 15 s, the same instant for every caller. */
const TICK_MS = 15_000;
const subscribe = (onTick: () => void) => {
  const timer = setInterval(onTick, TICK_MS);
  return () => clearInterval(timer);
};
const currentTick = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;

/**
 * The browser's "now", or null before hydration: the server cannot know when
 * the page will be read, so server-rendered relative times would be wrong
 * (and mismatch) by the time React takes over.
 */
export function useNow(): number | null {
  return useSyncExternalStore(subscribe, currentTick, () => null);
}

/**
 * "in 3 hours" or "5 minutes ago", with the absolute time on hover. Until
 * hydration it shows the absolute UTC time, as <Time> does. `tense` says on
 * which side of now the time is known to be (a heartbeat is past, a due time
 * ahead): the browser's "now" lags by up to a tick and its clock may be off
 * the server's, which must not put a refresh made a second ago in the future.
 */
export function RelativeTime({ iso, fallback = "—", tense }: { iso: string | null | undefined; fallback?: string; tense?: "past" | "future" }) {
  const now = useNow();
  if (!iso) return <span>{fallback}</span>;
  const at = Date.parse(iso);
  const shown = now === null ? at : tense === "past" ? Math.min(at, now) : tense === "future" ? Math.max(at, now) : at;
  return (
    <time dateTime={iso} title={now === null ? formatUtc(iso) : formatLocal(iso)}>
      {now === null ? formatUtc(iso) : relativeTime(shown, now)}
    </time>
  );
}

/** When a token stops working: "Expires in 3 hours", or "Expired 2 hours ago" once it has, the time itself on hover. */
export function Expiry({ iso, fallback = "—" }: { iso: string | null | undefined; fallback?: string }) {
  const now = useNow();
  if (!iso) return <span>{fallback}</span>;
  const at = Date.parse(iso);
  const text = now === null ? `Expires ${formatUtc(iso)}` : at > now ? `Expires ${relativeTime(at, now)}` : `Expired ${relativeTime(at, now)}`;
  return (
    <time dateTime={iso} title={now === null ? formatUtc(iso) : formatLocal(iso)}>
      {text}
    </time>
  );
}
