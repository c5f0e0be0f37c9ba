import type { ReactNode } from "react";
import styles from "../console.module.css";

/**
 * A page's create form, where every list page has it: a card above the list,
 * under a heading of the same style (projects, API keys, webhooks).
 */
export function CreatePanel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className={styles.panel} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}
