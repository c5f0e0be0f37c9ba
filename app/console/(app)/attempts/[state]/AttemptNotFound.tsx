import Link from "next/link";
import styles from "../../../console.module.css";

/**
 * An attempt this organization does not have in the mode shown: a mistyped
 * or malformed state, another organization's, or one of the other mode. The
 * same words whether the page found out (not-found.tsx) or the browser did.
 */
export function AttemptNotFound() {
  return (
    <>
      <p className={styles.crumb}>
        <Link href="/console/attempts">← Attempts</Link>
      </p>
      <h1>This attempt was not found</h1>
      <div className={styles.empty}>
        <p>
          No attempt of your organization has this state. Check the link: a state looks like <span className={styles.mono}>st_</span> followed by
          letters and digits. An attempt shows in its own mode only: the test mode switch in the sidebar shows the other one.
        </p>
        <p>
          <Link href="/console/attempts">Back to Attempts</Link>
        </p>
      </div>
    </>
  );
}
