"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { Badge } from "../../_ui/Badge";
import { durationWords } from "../../_ui/format";
import { None } from "../../_ui/None";
import { RelativeTime } from "../../_ui/RelativeTime";
import { type RouterOutputs, useConsoleMode, useTRPC } from "../../trpc";

type Status = RouterOutputs["operations"]["status"];

/** Heartbeats come every 30 s and queue counts are at most a minute old: polling faster would show nothing new. */
const POLL_MS = 15_000;

const QUEUE_PURPOSE: Record<string, string> = {
  "account-refresh": "Refreshes one account's tokens; failures are retried with backoff.",
  "refresh-sweep": "Finds the accounts whose tokens are due for refresh.",
  "webhook-deliver": "Sends one webhook delivery; a failed try is retried on the webhook schedule.",
  "attempts-sweep": "Ends OAuth attempts that were abandoned part-way.",
};

export function Operations() {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const status = useQuery({ ...trpc.operations.status.queryOptions({ mode }), refetchInterval: POLL_MS });

  if (status.isPending) return <Loading what="the job system's state" />;
  if (status.isError) return <LoadError error={status.error} retry={() => status.refetch()} />;
  const { processes, workersLive, queues, sweep, accounts } = status.data;

  return (
    <>
      {workersLive ? null : <NoWorkers />}

      <ul className={styles.cards} aria-label="Token refresh">
        <Card label="Refresh sweep">every {durationWords(sweep.intervalMs)}</Card>
        <Card label="Next sweep due">{sweep.nextDueAt ? <RelativeTime iso={sweep.nextDueAt} tense="future" /> : "Not scheduled"}</Card>
        <Card label={`${capitalized(mode)} accounts due for refresh now`}>{accounts.dueForRefresh.toLocaleString("en-US")}</Card>
        <Card label={`${capitalized(mode)} accounts that need the end-customer`}>
          {accounts.needsReauth > 0 ? (
            <Link href="/console/accounts?status=needs_reauth">{accounts.needsReauth.toLocaleString("en-US")}</Link>
          ) : (
            "0"
          )}
        </Card>
      </ul>

      <section className={styles.section} aria-labelledby="processes-title">
        <h2 id="processes-title" className={styles.sectionTitle}>
          Live processes
        </h2>
        <Processes processes={processes} />
      </section>

      <section className={styles.section} aria-labelledby="queues-title">
        <h2 id="queues-title" className={styles.sectionTitle}>
          Queues
        </h2>
        <Queues queues={queues} />
      </section>
    </>
  );
}

function NoWorkers() {
  return (
    <section className={styles.warning} role="alert" aria-labelledby="no-workers-title">
      <h2 id="no-workers-title">No process is running the background workers</h2>
      <p>
        Nothing refreshes tokens until one does: access tokens will expire, and their accounts will end up needing their end-customers to
        connect again. Start the server with <code>npm start</code> and <code>LAYERS_WORKER=on</code> (the default), or run{" "}
        <code>npm run worker</code> beside a server started with <code>LAYERS_WORKER=off</code>.
      </p>
    </section>
  );
}

function Processes({ processes }: { processes: Status["processes"] }) {
  if (processes.length === 0) {
    return (
      <div className={styles.empty}>
        <p>No process has reported to the job system in the last few heartbeats.</p>
      </div>
    );
  }
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <caption className={styles.visuallyHidden}>Processes connected to the job system, with their last heartbeat</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Host</th>
            <th scope="col" className={styles.num}>PID</th>
            <th scope="col">Workers</th>
            <th scope="col">Started</th>
            <th scope="col">Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {processes.map((proc) => (
            <tr key={proc.id}>
              <th scope="row">{proc.name ?? <None label="unnamed" />}</th>
              <td className={styles.mono}>{proc.host}</td>
              <td className={`${styles.num} ${styles.mono}`}>{proc.pid}</td>
              <td>
                {proc.runsWorkers ? <Badge tone="green">Runs workers</Badge> : <Badge>Web only</Badge>}
                {proc.queues.length > 0 ? <span className={`${styles.block} ${styles.small} ${styles.muted}`}>{proc.queues.join(", ")}</span> : null}
              </td>
              <td className={styles.nowrap}>
                <RelativeTime iso={proc.startedAt} tense="past" />
              </td>
              <td className={styles.nowrap}>
                <RelativeTime iso={proc.lastHeartbeatAt} tense="past" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Queues({ queues }: { queues: Status["queues"] }) {
  const countedAt = queues.map((queue) => queue.countedAt).filter((at): at is string => at !== null).sort()[0];
  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.table}>
          <caption className={styles.visuallyHidden}>Jobs in each queue</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col" className={styles.num}>Queued</th>
              <th scope="col" className={styles.num}>Deferred</th>
              <th scope="col" className={styles.num}>Active</th>
              <th scope="col" className={styles.num}>Failed</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((queue) => (
              <tr key={queue.name}>
                <th scope="row">
                  <span className={styles.mono}>{queue.name}</span>
                  <span className={`${styles.block} ${styles.small} ${styles.muted}`}>{QUEUE_PURPOSE[queue.name]}</span>
                </th>
                <td className={styles.num}>{queue.queued}</td>
                <td className={styles.num}>{queue.deferred}</td>
                <td className={styles.num}>{queue.active}</td>
                <td className={styles.num}>{queue.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className={`${styles.small} ${styles.muted}`}>
        Queued includes deferred jobs (retries waiting out their backoff). Failed jobs are those that ran out of retries recently.
        {countedAt ? (
          <>
            {" "}
            Counted <RelativeTime iso={countedAt} tense="past" />; counts are at most a minute old.
          </>
        ) : null}
      </p>
    </>
  );
}

function Card({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <li className={styles.card}>
      <div className={styles.cardLabel}>{label}</div>
      <div className={styles.cardValue}>{children}</div>
    </li>
  );
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
