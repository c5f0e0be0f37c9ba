"use client";

import Link from "next/link";
import styles from "../../console.module.css";
import { Badge } from "../../_ui/Badge";
import { Time } from "../../_ui/Time";
import type { RouterOutputs } from "../../trpc";
import { EndpointStatus } from "./EndpointStatus";
import { takesEveryEvent } from "./labels";
import local from "./webhooks.module.css";

export type Endpoint = RouterOutputs["webhooks"]["list"][number];

/** The event types an endpoint takes: "All events", or a badge each. */
export function EventList({ events }: { events: readonly string[] }) {
  if (takesEveryEvent(events)) return <span>All events</span>;
  return (
    <span className={styles.badges}>
      {events.map((type) => (
        <Badge key={type}>
          <span className={styles.mono}>{type}</span>
        </Badge>
      ))}
    </span>
  );
}

export function EndpointsTable({ endpoints }: { endpoints: Endpoint[] }) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <caption className={styles.visuallyHidden}>Webhook endpoints and their status</caption>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Project</th>
            <th scope="col">Events</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((endpoint) => (
            <tr key={endpoint.id}>
              <th scope="row">
                <Link href={`/console/webhooks/${encodeURIComponent(endpoint.id)}`} className={`${styles.mono} ${local.url}`}>
                  {endpoint.url}
                </Link>
                {endpoint.description ? <span className={`${styles.block} ${styles.small} ${styles.muted}`}>{endpoint.description}</span> : null}
              </th>
              <td>{endpoint.projectName}</td>
              <td className={styles.small}>
                <EventList events={endpoint.events} />
              </td>
              <td>
                <EndpointStatus endpoint={endpoint} />
              </td>
              <td className={styles.nowrap}>
                <Time iso={endpoint.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
