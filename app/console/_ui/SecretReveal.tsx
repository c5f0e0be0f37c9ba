"use client";

import { type ReactNode, useEffect, useRef, useState } from "react";
import styles from "../console.module.css";

type Props = {
  /** Prefix of the element ids (`${id}-title`), unique on the page. */
  id: string;
  title: ReactNode;
  /** The secret field's accessible name ("New API key"). */
  label: string;
  /** What the copy messages call it ("key", "secret"). */
  noun: string;
  secret: string;
  /** What the secret is and why it will not be shown again. */
  children: ReactNode;
  /** What to do with it next (the new-key panel's first call), under the secret. */
  after?: ReactNode;
  onDone: () => void;
};

/**
 * A secret shown once (an API key, a webhook signing secret): focused on
 * arrival so a screen reader announces it, with a Copy button and the
 * outcome of copying said aloud. The secret lives only in the caller's state.
 */
export function SecretReveal({ id, title, label, noun, secret, children, after, onDone }: Props) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    headingRef.current?.focus();
    setCopy("idle");
  }, [secret]);

  async function copySecret() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <section className={styles.reveal} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={headingRef} tabIndex={-1}>
        {title}
      </h2>
      {children}
      <div className={styles.secretRow}>
        <label htmlFor={`${id}-secret`} className={styles.visuallyHidden}>
          {label}
        </label>
        <input
          id={`${id}-secret`}
          className={styles.secret}
          value={secret}
          readOnly
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className={styles.button} onClick={copySecret}>
          {copy === "copied" ? "Copied" : "Copy"}
        </button>
      </div>
      <p role="status" className={styles.small}>
        {copy === "copied" ? `The ${noun} is on your clipboard.` : copy === "failed" ? `Copying failed: select the ${noun} and copy it by hand.` : ""}
      </p>
      {after}
      <div>
        <button type="button" className={styles.buttonSecondary} onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
