import type { Metadata } from "next";
import styles from "../../console.module.css";
import { Prefetched, serverTrpc } from "../prefetch";
import { Keys } from "./Keys";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.apiKeys.list.queryOptions());
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>API keys</h1>
          <p className={styles.lead}>
            Your backend sends an API key as a Bearer token. Test keys (<code>lp_test_</code>) use the built-in sandbox;
            live keys talk to TikTok and Instagram.
          </p>
        </div>
      </header>
      <Prefetched>
        <Keys />
      </Prefetched>
    </>
  );
}
