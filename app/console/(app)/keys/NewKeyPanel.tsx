"use client";

import { useEffect, useRef, useState } from "react";
import styles from "../../console.module.css";

export type NewKey = { key: string; prefix: string; name: string };

/** The only place the full key is ever rendered. */
export function NewKeyPanel({ newKey, onDone }: { newKey: NewKey; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    headingRef.current?.focus();
  }, [newKey]);

  async function copyKey() {
    try {
      await navigator.clipboard.writeText(newKey.key);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <section className={styles.reveal} aria-labelledby="new-key-title">
      <h2 id="new-key-title" ref={headingRef} tabIndex={-1}>
        API key “{newKey.name}” created
      </h2>
      <p>
        <strong>Copy this key now. It will not be shown again:</strong> Layers stores only a hash of it. If you lose it,
        revoke it and create another.
      </p>
      <div className={styles.secretRow}>
        <label htmlFor="new-api-key" className={styles.visuallyHidden}>
          New API key
        </label>
        <input
          id="new-api-key"
          className={styles.secret}
          value={newKey.key}
          readOnly
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className={styles.button} onClick={copyKey}>
          {copy === "copied" ? "Copied" : "Copy"}
        </button>
      </div>
      <p role="status" className={styles.small}>
        {copy === "copied" ? "The key is on your clipboard." : copy === "failed" ? "Copying failed: select the key and copy it by hand." : ""}
      </p>
      <div>
        <button type="button" className={styles.buttonSecondary} onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
