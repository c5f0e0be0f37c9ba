import styles from "../console.module.css";
import { errorMessage, errorStatus } from "./errors";

/**
 * An error in words, announced to screen readers. The live region is always in the DOM so the
 * announcement fires when text appears in it.
 */
export function ErrorAlert({ error, className }: { error: unknown; className?: string }) {
  const text = error ? (typeof error === "string" ? error : errorMessage(error)) : "";
  return (
    <p role="alert" className={[styles.alertSlot, text ? styles.alert : undefined, className].filter(Boolean).join(" ")}>
      {text}
    </p>
  );
}

/** A query that failed to load: says so, and offers what can help (signing in again, or a retry). */
export function LoadError({ error, retry }: { error: unknown; retry: () => void }) {
  const status = errorStatus(error);
  return (
    <div className={styles.panel}>
      <p role="alert" className={styles.alert}>
        {errorMessage(error)}
      </p>
      {status === 401 ? (
        <p>
          <a href="/console/sign-in">Sign in</a>
        </p>
      ) : status && status >= 400 && status < 500 ? null : (
        <p>
          <button type="button" className={styles.buttonSecondary} onClick={retry}>
            Try again
          </button>
        </p>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className={styles.loading} aria-busy="true">
      Loading {what}…
    </p>
  );
}
