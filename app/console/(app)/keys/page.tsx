import type { Metadata } from "next";
import styles from "../../console.module.css";
import { Prefetched, serverTrpc } from "../prefetch";
import { Keys } from "./Keys";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  const { trpc, queryClient } = await serverTrpc();
  // The instance's facts (the mode hint's warnings) and the projects (the new-key panel's curl) come with the page.
  await Promise.all([
    queryClient.prefetchQuery(trpc.apiKeys.list.queryOptions()),
    queryClient.prefetchQuery(trpc.apiKeys.instance.queryOptions()),
    queryClient.prefetchQuery(trpc.projects.list.queryOptions()),
  ]);
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
