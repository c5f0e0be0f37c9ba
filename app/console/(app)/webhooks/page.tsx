import type { Metadata } from "next";
import styles from "../../console.module.css";
import { getConsoleMode } from "../mode";
import { Prefetched, serverTrpc } from "../prefetch";
import { Webhooks } from "./Webhooks";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await Promise.all([queryClient.prefetchQuery(trpc.webhooks.list.queryOptions({ mode })), queryClient.prefetchQuery(trpc.projects.list.queryOptions())]);
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Webhooks</h1>
          <p className={styles.lead}>
            Layers posts an event to your endpoints when an account connects, a connection fails, an account needs reauth or is
            disconnected, signed as Standard Webhooks. Each endpoint takes one project&apos;s {mode}-mode events; a failed delivery is retried
            for a little over a day.
          </p>
        </div>
      </header>
      <Prefetched>
        <Webhooks />
      </Prefetched>
    </>
  );
}
