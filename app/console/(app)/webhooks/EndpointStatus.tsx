"use client";

import styles from "../../console.module.css";
import { Badge } from "../../_ui/Badge";
import { RelativeTime } from "../../_ui/RelativeTime";
import { disabledWhy } from "./labels";

type Props = { endpoint: { status: string; disabledReason: string | null; failingSince: string | null } };

/** Enabled or disabled, and why in words; an enabled endpoint whose deliveries keep failing says since when. */
export function EndpointStatus({ endpoint }: Props) {
  const why = disabledWhy(endpoint);
  if (why) {
    return (
      <>
        <Badge tone="red">Disabled</Badge>
        <span className={`${styles.block} ${styles.small} ${styles.muted}`}>{why}</span>
      </>
    );
  }
  return (
    <>
      <Badge tone={endpoint.failingSince ? "amber" : "green"}>{endpoint.failingSince ? "Failing" : "Enabled"}</Badge>
      {endpoint.failingSince ? (
        <span className={`${styles.block} ${styles.small} ${styles.muted}`}>
          Every delivery since <RelativeTime iso={endpoint.failingSince} tense="past" /> failed. After 5 days of this it is disabled.
        </span>
      ) : null}
    </>
  );
}
