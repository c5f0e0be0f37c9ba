"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import styles from "../../../console.module.css";
import { ErrorAlert, LoadError, Loading } from "../../../_ui/Alert";
import { Badge } from "../../../_ui/Badge";
import { LoadMore } from "../../../_ui/LoadMore";
import { None } from "../../../_ui/None";
import { RelativeTime } from "../../../_ui/RelativeTime";
import { Time } from "../../../_ui/Time";
import { type RouterOutputs, useConsoleMode, useTRPC, useViewer } from "../../../trpc";
import type { Endpoint } from "../EndpointsTable";
import { DELIVERY_STATUS } from "../labels";
import local from "../webhooks.module.css";

type Delivery = RouterOutputs["webhooks"]["deliveries"]["items"][number];

/** A delivery's outcome as a badge: succeeded, failed, or pending with its next try. */
function DeliveryStatus({ delivery }: { delivery: Pick<Delivery, "status" | "nextAttemptAt"> }) {
  const status = DELIVERY_STATUS[delivery.status] ?? { label: delivery.status, tone: "amber" as const };
  return (
    <>
      <Badge tone={status.tone}>{status.label}</Badge>
      {delivery.status === "pending" && delivery.nextAttemptAt ? (
        <span className={`${styles.block} ${styles.small} ${styles.muted}`}>
          next try <RelativeTime iso={delivery.nextAttemptAt} tense="future" />
        </span>
      ) : null}
    </>
  );
}

/** An endpoint's deliveries, newest first; each opens to its tries and the exact body sent, and can be resent. */
export function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const deliveries = useInfiniteQuery(
    trpc.webhooks.deliveries.infiniteQueryOptions({ endpointId: endpoint.id, mode }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const [open, setOpen] = useState<string | null>(null);
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section aria-labelledby="deliveries-title">
      <div className={styles.pageHeader}>
        <h2 id="deliveries-title" className={styles.sectionTitle}>
          Deliveries
        </h2>
        <button type="button" className={styles.buttonSecondary} onClick={() => deliveries.refetch()} disabled={deliveries.isFetching}>
          Refresh
        </button>
      </div>
      {deliveries.isPending ? (
        <Loading what="deliveries" />
      ) : deliveries.isError && items.length === 0 ? (
        <LoadError error={deliveries.error} retry={() => deliveries.refetch()} />
      ) : items.length === 0 ? (
        <div className={styles.empty}>
          <p>No deliveries yet. Events of the types this endpoint takes appear here as they happen; a test event shows one at once.</p>
        </div>
      ) : (
        <>
          <div className={styles.tableWrap}>
            <table className={styles.table}>
              <caption className={styles.visuallyHidden}>Deliveries to this endpoint, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Tries</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className={styles.visuallyHidden}>Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((delivery) => (
                  <Fragment key={delivery.id}>
                    <tr>
                      <th scope="row">
                        <span className={styles.mono}>{delivery.type}</span>
                        <span className={`${styles.block} ${styles.small} ${styles.muted} ${styles.mono}`}>{delivery.eventId}</span>
                      </th>
                      <td>
                        <DeliveryStatus delivery={delivery} />
                      </td>
                      <td>{delivery.attempts}</td>
                      <td className={styles.small}>
                        {delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : delivery.lastError ? delivery.lastError : <None label="not tried yet" />}
                      </td>
                      <td className={styles.nowrap}>
                        <Time iso={delivery.createdAt} />
                      </td>
                      <td>
                        <button
                          type="button"
                          className={`${styles.buttonSecondary} ${styles.compact}`}
                          aria-expanded={open === delivery.id}
                          aria-controls={`delivery-${delivery.id}`}
                          aria-label={`${open === delivery.id ? "Hide" : "Show"} delivery ${delivery.id}`}
                          onClick={() => setOpen(open === delivery.id ? null : delivery.id)}
                        >
                          {open === delivery.id ? "Hide" : "Show"}
                        </button>
                      </td>
                    </tr>
                    {open === delivery.id ? (
                      <tr className={local.detailRow} id={`delivery-${delivery.id}`}>
                        <td colSpan={6}>
                          <DeliveryDetail id={delivery.id} endpoint={endpoint} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore pages={deliveries} shown={items.length} noun={["delivery", "deliveries"]} />
        </>
      )}
    </section>
  );
}

/** One delivery opened: every try, the body it sends (pretty-printed), and Resend for admins. */
function DeliveryDetail({ id, endpoint }: { id: string; endpoint: Endpoint }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const { isAdmin } = useViewer();
  const queryClient = useQueryClient();
  const delivery = useQuery(trpc.webhooks.delivery.queryOptions({ id, mode }));
  const [resent, setResent] = useState<string | null>(null);
  const resend = useMutation(
    trpc.webhooks.resend.mutationOptions({
      onSuccess: async (created) => {
        setResent(created.id);
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.pathKey() });
      },
    }),
  );

  if (delivery.isPending) return <Loading what="the delivery" />;
  if (delivery.isError) return <LoadError error={delivery.error} retry={() => delivery.refetch()} />;
  const data = delivery.data;

  return (
    <div className={local.detail}>
      <div>
        <h3>Tries</h3>
        {data.attempts.length === 0 ? (
          <p className={styles.muted}>Not tried yet: the first try is due {data.nextAttemptAt ? <RelativeTime iso={data.nextAttemptAt} tense="future" /> : "now"}.</p>
        ) : (
          <table className={`${styles.table} ${local.tries}`}>
            <caption className={styles.visuallyHidden}>Tries of delivery {data.id}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Answer</th>
                <th scope="col">Latency</th>
                <th scope="col">Next try</th>
              </tr>
            </thead>
            <tbody>
              {data.attempts.map((attempt) => (
                <tr key={attempt.number}>
                  <td>{attempt.number}</td>
                  <td className={styles.nowrap}>
                    <Time iso={attempt.attemptedAt} />
                  </td>
                  <td>{attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? "no answer")}</td>
                  <td>{attempt.latencyMs} ms</td>
                  <td className={styles.nowrap}>{attempt.nextRetryAt ? <Time iso={attempt.nextRetryAt} /> : <None label="none" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div>
        <h3>Payload</h3>
        <p className={`${styles.small} ${styles.muted}`}>
          Sent as the request body with <span className={styles.mono}>webhook-id: {data.event.id}</span>.
        </p>
        <pre className={local.payload} aria-label={`Payload of event ${data.event.id}`}>
          {prettyJson(data.event.body)}
        </pre>
      </div>
      {isAdmin ? (
        <div>
          <button
            type="button"
            className={styles.button}
            disabled={resend.isPending || endpoint.status !== "enabled"}
            onClick={() => {
              setResent(null);
              resend.mutate({ deliveryId: data.id, mode });
            }}
          >
            Resend
          </button>
          {endpoint.status !== "enabled" ? <p className={`${styles.small} ${styles.muted} ${local.actionHint}`}>Enable the endpoint to resend to it.</p> : null}
          {resent ? (
            <p role="status" className={`${styles.notice} ${local.actionHint}`}>
              Queued again as delivery <span className={styles.mono}>{resent}</span>, with the same webhook-id.
            </p>
          ) : null}
          <ErrorAlert error={resend.error} />
        </div>
      ) : null}
    </div>
  );
}

function prettyJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
