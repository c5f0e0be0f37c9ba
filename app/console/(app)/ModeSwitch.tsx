"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import styles from "../console.module.css";
import { consoleModeCookie } from "../consoleMode";
import type { ConsoleMode } from "../trpc";

/**
 * Test mode on or off, as payment dashboards have it. The choice is a cookie;
 * refreshing the route re-renders the layout and the page on the server with
 * the other mode, and since every mode query names its mode, nothing of the
 * previous mode's cache is shown for this one.
 */
export function ModeSwitch({ mode }: { mode: ConsoleMode }) {
  const router = useRouter();
  const [switching, startTransition] = useTransition();
  const test = mode === "test";
  return (
    <button
      type="button"
      role="switch"
      aria-checked={test}
      aria-busy={switching || undefined}
      disabled={switching}
      className={styles.modeSwitch}
      onClick={() => {
        document.cookie = consoleModeCookie(test ? "live" : "test");
        startTransition(() => router.refresh());
      }}
    >
      <span className={styles.modeTrack} aria-hidden="true">
        <span className={styles.modeThumb} />
      </span>
      Test mode
    </button>
  );
}
