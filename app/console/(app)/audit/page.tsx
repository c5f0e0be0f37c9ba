import type { Metadata } from "next";
import styles from "../../console.module.css";
import { Prefetched, serverTrpc } from "../prefetch";
import { AuditLog } from "./AuditLog";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  const { trpc, queryClient } = await serverTrpc();
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.audit.list.infiniteQueryOptions({}, { getNextPageParam: (page) => page.nextCursor })),
    queryClient.prefetchQuery(trpc.apiKeys.list.queryOptions()),
  ]);
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Audit log</h1>
          <p className={styles.lead}>Who did what, and when: console users, ladmin, API keys and Layers itself.</p>
        </div>
      </header>
      <Prefetched>
        <AuditLog />
      </Prefetched>
    </>
  );
}
