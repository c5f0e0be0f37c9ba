import type { ReactNode } from "react";
import styles from "./hosted.module.css";

type Tone = "ok" | "bad" | "wait";

/** The frame of every hosted page: one card, one heading, plain words. */
export function HostedCard({ title, badge, tone, children }: { title: string; badge?: string; tone?: Tone; children: ReactNode }) {
  return (
    <main className={styles.shell}>
      <section className={styles.card} aria-labelledby="hosted-title">
        <p className={styles.brand}>Layers Connect</p>
        {badge && tone && <span className={styles[tone]}>{badge}</span>}
        <h1 id="hosted-title" className={styles.title}>
          {title}
        </h1>
        {children}
      </section>
    </main>
  );
}

export const hosted = styles;
