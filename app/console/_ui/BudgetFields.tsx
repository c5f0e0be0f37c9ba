"use client";

import { useId } from "react";
import styles from "../console.module.css";

type Limits = { write: string; read: string };

/**
 * A key's write and read budget inputs, as the create form and the key page
 * both ask for them. Empty means the instance default, shown as placeholder.
 */
export function BudgetFields({ values, defaults, onChange }: { values: Limits; defaults: Limits; onChange: (values: Limits) => void }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <>
      <div className={styles.formRow}>
        <div className={styles.field}>
          <label htmlFor={`${id}-write`}>Write limit</label>
          <input
            id={`${id}-write`}
            className={`${styles.input} ${styles.mono}`}
            value={values.write}
            onChange={(event) => onChange({ ...values, write: event.target.value })}
            placeholder={defaults.write}
            autoComplete="off"
            aria-describedby={hintId}
          />
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-read`}>Read limit</label>
          <input
            id={`${id}-read`}
            className={`${styles.input} ${styles.mono}`}
            value={values.read}
            onChange={(event) => onChange({ ...values, read: event.target.value })}
            placeholder={defaults.read}
            autoComplete="off"
            aria-describedby={hintId}
          />
        </div>
      </div>
      <p id={hintId} className={`${styles.hint} ${styles.hintTight}`}>
        Requests per window, like <span className={styles.mono}>60/60s</span>. Leave empty for the instance default (
        <span className={styles.mono}>{defaults.write}</span> writes, <span className={styles.mono}>{defaults.read}</span> reads).
      </p>
    </>
  );
}

/** A key's budget as text: its own, or the instance default marked as such. */
export function Budget({ label, value, fallback }: { label?: string; value: string | null; fallback: string }) {
  return (
    <span>
      {label ? `${label} ` : null}
      <span className={styles.mono}>{value ?? fallback}</span>
      {value ? null : <span className={styles.muted}> (default)</span>}
    </span>
  );
}
