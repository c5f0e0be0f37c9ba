import type { Metadata } from "next";
import styles from "../console.module.css";
import { getConsoleMode } from "./mode";
import { Prefetched, serverTrpc } from "./prefetch";
import { Overview } from "./_views/Overview";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await queryClient.prefetchQuery(trpc.overview.get.queryOptions({ mode }));
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Overview</h1>
          <p className={styles.lead}>
            {mode === "test" ? "Sandbox connections" : "Live connections"} across your organization&apos;s projects.
          </p>
        </div>
      </header>
      <Prefetched>
        <Overview />
      </Prefetched>
    </>
  );
}
