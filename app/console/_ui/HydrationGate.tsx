"use client";

import { type ReactNode, useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * Keeps the page's forms inert until React has hydrated them: text typed into
 * a controlled input before hydration would otherwise be wiped when React
 * takes over. Server-rendered content is visible at once; it becomes
 * interactive a moment later.
 */
export function HydrationGate({ children }: { children: ReactNode }) {
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return <div inert={!hydrated}>{children}</div>;
}
