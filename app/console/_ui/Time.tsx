"use client";

import { useSyncExternalStore } from "react";
import { formatLocal, formatUtc } from "./format";

const noop = () => () => {};

/**
 * A timestamp in the viewer's own time zone. The server does not know that zone, so the server
 * render (and hydration) shows UTC and the browser switches to local time right after.
 */
export function Time({ iso, fallback = "—" }: { iso: string | null | undefined; fallback?: string }) {
  const hydrated = useSyncExternalStore(noop, () => true, () => false);
  if (!iso) return <span>{fallback}</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {hydrated ? formatLocal(iso) : formatUtc(iso)}
    </time>
  );
}
