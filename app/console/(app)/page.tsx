import type { Metadata } from "next";
import styles from "../console.module.css";
import { Prefetched, serverTrpc } from "./prefetch";
import { Overview } from "./_views/Overview";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.overview.get.queryOptions());
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Overview</h1>
          <p className={styles.lead}>Connections across your organization&apos;s projects.</p>
        </div>
      </header>
      <Prefetched>
        <Overview />
      </Prefetched>
    </>
  );
}
