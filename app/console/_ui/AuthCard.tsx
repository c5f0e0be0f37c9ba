import type { ReactNode } from "react";
import styles from "../console.module.css";

/** The centred card that frames the sign-in and setup pages. */
export function AuthCard({ title, lead, children }: { title: string; lead: string; children: ReactNode }) {
  return (
    <main className={styles.authShell}>
      <div className={styles.authCard}>
        <div className={styles.authBrand} aria-hidden="true">
          <span className={styles.brandMark}>L</span>
          <span>Layers Connect</span>
        </div>
        <h1>{title}</h1>
        <p className={styles.lead}>{lead}</p>
        {children}
      </div>
    </main>
  );
}
