import styles from "../console.module.css";

/** An empty cell: a dash on screen, "none" to a screen reader. */
export function None({ label = "none" }: { label?: string }) {
  return (
    <span className={styles.muted}>
      <span aria-hidden="true">—</span>
      <span className={styles.visuallyHidden}>{label}</span>
    </span>
  );
}
