"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { useConsoleMode, useTRPC, useViewer } from "../../trpc";
import { CreateEndpointForm } from "./CreateEndpointForm";
import { EndpointsTable } from "./EndpointsTable";
import { type RevealedSecret, WebhookSecretPanel } from "./WebhookSecretPanel";

export function Webhooks() {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const { isAdmin } = useViewer();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions({ mode }));
  // The new endpoint's secret lives only here, in memory, until dismissed or the page is left.
  const [revealed, setRevealed] = useState<RevealedSecret | null>(null);

  return (
    <>
      {revealed ? <WebhookSecretPanel revealed={revealed} onDone={() => setRevealed(null)} /> : null}
      {isAdmin ? <CreateEndpointForm onCreated={setRevealed} /> : null}
      <section className={styles.section} aria-labelledby="endpoints-title">
        <h2 id="endpoints-title" className={styles.sectionTitle}>
          Endpoints
        </h2>
        {endpoints.isPending ? (
          <Loading what="webhook endpoints" />
        ) : endpoints.isError ? (
          <LoadError error={endpoints.error} retry={() => endpoints.refetch()} />
        ) : endpoints.data.length === 0 ? (
          <div className={styles.empty}>
            <p>
              No {mode}-mode webhook endpoints yet.{" "}
              {isAdmin ? "Create one above to be told when accounts connect, fail, need reauth or disconnect." : "An owner or admin can create one."}
            </p>
          </div>
        ) : (
          <EndpointsTable endpoints={endpoints.data} />
        )}
      </section>
    </>
  );
}
