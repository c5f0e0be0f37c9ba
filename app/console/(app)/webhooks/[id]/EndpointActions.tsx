"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import styles from "../../../console.module.css";
import { ErrorAlert } from "../../../_ui/Alert";
import { ConfirmAction } from "../../../_ui/ConfirmAction";
import { useConsoleMode, useTRPC } from "../../../trpc";
import type { Endpoint } from "../EndpointsTable";
import local from "../webhooks.module.css";

type Props = {
  endpoint: Endpoint;
  /** The rotated secret, for the page to show once. */
  onRotated: (secret: string) => void;
  onDeleted: () => void;
};

/** An admin's actions on one endpoint: send a test event, disable or enable it, rotate its secret, delete it. */
export function EndpointActions({ endpoint, onRotated, onDeleted }: Props) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const queryClient = useQueryClient();
  const [sent, setSent] = useState<string | null>(null);
  const refreshViews = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
    ]);
  const sendTest = useMutation(
    trpc.webhooks.sendTest.mutationOptions({
      onSuccess: async ({ eventId }) => {
        setSent(eventId);
        await refreshViews();
      },
    }),
  );
  const setEnabled = useMutation(trpc.webhooks.setEnabled.mutationOptions({ onSuccess: () => refreshViews() }));
  const rotate = useMutation(
    trpc.webhooks.rotateSecret.mutationOptions({
      onSuccess: async ({ secret }) => {
        onRotated(secret);
        // The details say until when the previous secret still signs.
        await refreshViews();
      },
    }),
  );
  const remove = useMutation(trpc.webhooks.delete.mutationOptions());
  const enabled = endpoint.status === "enabled";

  return (
    <section className={styles.panel} aria-labelledby="endpoint-actions-title">
      <h2 id="endpoint-actions-title">Actions</h2>
      <div className={local.actions}>
        <button
          type="button"
          className={styles.button}
          disabled={!enabled || sendTest.isPending}
          onClick={() => {
            setSent(null);
            sendTest.mutate({ id: endpoint.id, mode });
          }}
        >
          Send test event
        </button>
        {enabled ? (
          <ConfirmAction
            label="Disable"
            title="Disable this endpoint?"
            confirmLabel="Yes, disable"
            tone="caution"
            onConfirm={() => setEnabled.mutateAsync({ id: endpoint.id, enabled: false, mode })}
          >
            <p>
              Layers stops sending to <span className={local.url}>{endpoint.url}</span>: events from now on are not sent to it, and
              deliveries still due end as failed. Enable it again to receive new events; any past event can be resent.
            </p>
          </ConfirmAction>
        ) : (
          <button
            type="button"
            className={styles.buttonSecondary}
            disabled={setEnabled.isPending}
            onClick={() => setEnabled.mutate({ id: endpoint.id, enabled: true, mode })}
          >
            Enable
          </button>
        )}
        <ConfirmAction
          label="Rotate secret"
          title="Rotate the signing secret?"
          confirmLabel="Yes, rotate"
          tone="caution"
          onConfirm={() => rotate.mutateAsync({ id: endpoint.id, mode })}
        >
          <p>
            A new secret is shown once. For 24 hours every delivery carries two signatures, one with each secret, so your receiver can
            switch without missing an event.
          </p>
        </ConfirmAction>
        <ConfirmAction
          label="Delete"
          title="Delete this endpoint?"
          confirmLabel="Yes, delete"
          onConfirm={async () => {
            await remove.mutateAsync({ id: endpoint.id, mode });
            onDeleted();
            await refreshViews();
          }}
        >
          <p>
            <span className={local.url}>{endpoint.url}</span> and its delivery history are deleted, and deliveries still due are not sent.
            This cannot be undone.
          </p>
        </ConfirmAction>
      </div>
      {!enabled ? <p className={`${styles.small} ${styles.muted} ${local.actionHint}`}>A disabled endpoint takes no test event: enable it first.</p> : null}
      {sent ? (
        <p role="status" className={`${styles.notice} ${local.actionHint}`}>
          Test event <span className={styles.mono}>{sent}</span> queued: it appears under Deliveries in a moment.
        </p>
      ) : null}
      <ErrorAlert error={sendTest.error ?? setEnabled.error} />
    </section>
  );
}
