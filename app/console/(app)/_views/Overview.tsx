"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { longDay, percent, shortDay, successRate } from "../../_ui/format";
import { useConsoleMode, useTRPC, useViewer } from "../../trpc";
import { AttemptsTable } from "./AttemptsTable";

type Day = { day: string; completed: number; failed: number; expired: number; pending: number };

export function Overview() {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const overview = useQuery(trpc.overview.get.queryOptions({ mode }));

  if (overview.isPending) return <Loading what="the overview" />;
  if (overview.isError) return <LoadError error={overview.error} retry={() => overview.refetch()} />;
  const { counts, daily, recentAttempts } = overview.data;

  return (
    <>
      <ul className={styles.cards} aria-label="Totals">
        <Card label="Projects" value={counts.projects} />
        <Card label={`Active ${mode} keys`} value={counts.activeKeys} />
        <Card label="Connected accounts" value={counts.accounts} />
        <Card label="Attempts, last 7 days" value={counts.attempts7d} />
      </ul>

      {counts.projects === 0 || counts.activeKeys === 0 ? <GettingStarted counts={counts} /> : null}

      <section className={`${styles.panel} ${styles.section}`} aria-labelledby="success-title">
        <h2 id="success-title">Connection success, last 7 days</h2>
        <SuccessChart days={daily} />
      </section>

      <section className={styles.section} aria-labelledby="recent-title">
        <div className={styles.sectionHeader}>
          <h2 id="recent-title">Recent attempts</h2>
          {recentAttempts.length > 0 ? <Link href="/console/attempts">All attempts</Link> : null}
        </div>
        {recentAttempts.length > 0 ? (
          <AttemptsTable attempts={recentAttempts} caption="The ten most recent connection attempts" />
        ) : (
          <div className={styles.empty}>
            <p>
              No connection attempts yet. They appear here once your backend calls{" "}
              <code>POST /v1/projects/:projectId/social/oauth-url</code> with an API key.
            </p>
          </div>
        )}
      </section>
    </>
  );
}

function Card({ label, value }: { label: string; value: number }) {
  return (
    <li className={styles.card}>
      <div className={styles.cardLabel}>{label}</div>
      <div className={styles.cardValue}>{value.toLocaleString("en-US")}</div>
    </li>
  );
}

function GettingStarted({ counts }: { counts: { projects: number; activeKeys: number } }) {
  const { isAdmin } = useViewer();
  return (
    <section className={styles.empty} aria-labelledby="start-title">
      <h2 id="start-title">Get started</h2>
      <p>Create a project, then an API key, then let your backend ask for an authorize URL.</p>
      <ol>
        <li>
          {counts.projects === 0 ? (
            <Link href="/console/projects">Create a project</Link>
          ) : (
            <span>Create a project (done)</span>
          )}{" "}
          for the product whose customers connect their accounts.
        </li>
        <li>
          <Link href="/console/keys">Create an API key</Link> with the <code>social:write</code> scope and the return
          URLs your product uses. Test keys use the built-in sandbox.
        </li>
        <li>
          From your backend, call <code>POST /v1/projects/:projectId/social/oauth-url</code> and send your customer to
          the authorize URL.
        </li>
      </ol>
      {isAdmin ? null : <p className={styles.small}>Ask an owner or admin of your organization to do the first two steps.</p>}
    </section>
  );
}

/**
 * Stacked bars per day (completed, failed, expired, pending), scaled to the busiest day, with the
 * success rate on top. The bars are decoration for sighted users; the table below carries the data.
 */
function SuccessChart({ days }: { days: Day[] }) {
  const busiest = Math.max(1, ...days.map((d) => d.completed + d.failed + d.expired + d.pending));
  const total = days.reduce((sum, d) => sum + d.completed + d.failed + d.expired + d.pending, 0);
  const share = (n: number) => `${(n / busiest) * 100}%`;

  return (
    <>
      <div className={styles.chart} aria-hidden="true">
        {days.map((d) => (
          <div className={styles.barCol} key={d.day}>
            <div className={styles.barTrack}>
              <div className={styles.barCompleted} style={{ height: share(d.completed) }} />
              <div className={styles.barFailed} style={{ height: share(d.failed) }} />
              <div className={styles.barExpired} style={{ height: share(d.expired) }} />
              <div className={styles.barPending} style={{ height: share(d.pending) }} />
            </div>
            <div className={styles.barRate}>{percent(successRate(d))}</div>
            <div className={styles.barDay}>{shortDay(d.day)}</div>
          </div>
        ))}
      </div>
      <ul className={styles.chartLegend} aria-hidden="true">
        <li>
          <span className={`${styles.swatch} ${styles.barCompleted}`} /> Completed
        </li>
        <li>
          <span className={`${styles.swatch} ${styles.barFailed}`} /> Failed
        </li>
        <li>
          <span className={`${styles.swatch} ${styles.barExpired}`} /> Expired
        </li>
        <li>
          <span className={`${styles.swatch} ${styles.barPending}`} /> Pending
        </li>
      </ul>
      {total === 0 ? <p className={`${styles.small} ${styles.muted}`}>No attempts in the last 7 days.</p> : null}
      {/* A table is not clipped by its own width, so the wrapper hides it. */}
      <div className={styles.visuallyHidden}>
        <table>
          <caption>Connection attempts per day, last 7 days, with the share of finished attempts that completed</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Completed</th>
              <th scope="col">Failed</th>
              <th scope="col">Expired</th>
              <th scope="col">Pending</th>
              <th scope="col">Success rate</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{longDay(d.day)}</th>
                <td>{d.completed}</td>
                <td>{d.failed}</td>
                <td>{d.expired}</td>
                <td>{d.pending}</td>
                <td>{successRate(d) === null ? "no finished attempts" : percent(successRate(d))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
