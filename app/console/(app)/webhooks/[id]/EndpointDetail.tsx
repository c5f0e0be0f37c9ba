"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import styles from "../../../console.module.css";
import { LoadError, Loading } from "../../../_ui/Alert";
import { ModeBadge } from "../../../_ui/Badge";
import { Time } from "../../../_ui/Time";
import { useConsoleMode, useTRPC, useViewer } from "../../../trpc";
import { EndpointStatus } from "../EndpointStatus";
import { EventList } from "../EndpointsTable";
import { type RevealedSecret, WebhookSecretPanel } from "../WebhookSecretPanel";
import local from "../webhooks.module.css";
import { Deliveries } from "./Deliveries";
import { EndpointActions } from "./EndpointActions";

/**
 * One endpoint: what it is, the admin's actions on it, and its deliveries.
 * Its facts come from the organization's endpoint list (a handful per
 * project), which the list page has usually loaded already.
 */
export function EndpointDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const { isAdmin } = useViewer();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions({ mode }));
  // A rotated secret lives only here, in memory, until dismissed or the page is left.
  const [revealed, setRevealed] = useState<RevealedSecret | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const endpoint = endpoints.data?.find((e) => e.id === id);

  const crumb = (
    <p className={styles.crumb}>
      <Link href="/console/webhooks">← Webhooks</Link>
    </p>
  );
  const heading = <h1>Webhook endpoint</h1>;
  if (deleted) {
    return (
      <>
        {crumb}
        {heading}
        <p role="status" className={styles.notice}>
          Endpoint <span className={styles.mono}>{deleted}</span> deleted. Layers sends it nothing more.
        </p>
      </>
    );
  }
  if (endpoints.isPending || endpoints.isError) {
    return (
      <>
        {crumb}
        {heading}
        {endpoints.isPending ? <Loading what="the endpoint" /> : <LoadError error={endpoints.error} retry={() => endpoints.refetch()} />}
      </>
    );
  }
  if (!endpoint) {
    return (
      <>
        {crumb}
        {heading}
        <div className={styles.empty}>
          <p>
            This organization has no {mode}-mode webhook endpoint <span className={styles.mono}>{id}</span>. It may have been deleted, or
            belong to the other mode: the switch in the sidebar shows it.
          </p>
        </div>
      </>
    );
  }

  return (
    <>
      {crumb}
      {revealed ? <WebhookSecretPanel revealed={revealed} onDone={() => setRevealed(null)} /> : null}
      <header className={styles.pageHeader}>
        <div>
          <h1 className={local.url}>{endpoint.url}</h1>
          <p className={`${styles.lead} ${styles.badges}`}>
            <ModeBadge live={mode === "live"} />
            {endpoint.description ? <span>{endpoint.description}</span> : null}
          </p>
        </div>
      </header>

      <section className={styles.panel} aria-labelledby="endpoint-facts-title">
        <h2 id="endpoint-facts-title">Details</h2>
        <dl className={styles.facts}>
          <dt>Status</dt>
          <dd>
            <EndpointStatus endpoint={endpoint} />
          </dd>
          <dt>Endpoint id</dt>
          <dd className={styles.mono}>{endpoint.id}</dd>
          <dt>Project</dt>
          <dd>
            {endpoint.projectName} <span className={`${styles.mono} ${styles.muted}`}>{endpoint.projectId}</span>
          </dd>
          <dt>Events</dt>
          <dd>
            <EventList events={endpoint.events} />
          </dd>
          <dt>Signing secret</dt>
          <dd>
            {endpoint.secretRotatedUntil ? (
              <>
                Rotated: the previous secret signs beside the new one until <Time iso={endpoint.secretRotatedUntil} />.
              </>
            ) : (
              <span className={styles.muted}>Shown only when the endpoint is created and when it is rotated.</span>
            )}
          </dd>
          <dt>Created</dt>
          <dd>
            <Time iso={endpoint.createdAt} />
          </dd>
        </dl>
      </section>

      {isAdmin ? (
        <EndpointActions
          endpoint={endpoint}
          onRotated={(secret) => setRevealed({ secret, url: endpoint.url, rotated: true })}
          onDeleted={() => setDeleted(endpoint.id)}
        />
      ) : null}
      <Deliveries endpoint={endpoint} />
    </>
  );
}
