"use client";

import Link from "next/link";
import styles from "../../console.module.css";
import { StatusBadge } from "../../_ui/Badge";
import { platformLabel, splitId } from "../../_ui/format";
import { None } from "../../_ui/None";
import { Time } from "../../_ui/Time";
import type { RouterOutputs } from "../../trpc";

type AttemptRow = RouterOutputs["attempts"]["list"]["items"][number];

/**
 * The state, shortened on screen. The link's accessible name is the whole state; the visible
 * start of it is contained in that name, so voice control users can still say what they see.
 */
export function StateLink({ state }: { state: string }) {
  const [shown, rest] = splitId(state);
  return (
    <Link href={`/console/attempts/${encodeURIComponent(state)}`} className={styles.mono} title={state} aria-label={state}>
      {shown}
      {rest ? "…" : null}
    </Link>
  );
}

export function AttemptsTable({ attempts, caption }: { attempts: AttemptRow[]; caption: string }) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <caption className={styles.visuallyHidden}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Status</th>
            <th scope="col">Platform</th>
            <th scope="col">Project</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.state}>
              <th scope="row">
                <StateLink state={attempt.state} />
              </th>
              <td>
                <StatusBadge status={attempt.status} />
              </td>
              {/* One mode per table (the console's switch), so the mode is the page's, not the row's. */}
              <td className={styles.nowrap}>{platformLabel(attempt.platform)}</td>
              <td>{attempt.projectName}</td>
              <td>
                <Link href={`/console/keys/${encodeURIComponent(attempt.keyId)}`}>{attempt.keyName}</Link>
              </td>
              <td className={styles.nowrap}>
                <Time iso={attempt.createdAt} />
              </td>
              <td className={styles.mono}>{attempt.errorCode ?? <None />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
