import type { Metadata } from "next";
import Link from "next/link";
import { getConsoleContext } from "@/server/auth/session";
import styles from "../../console.module.css";
import { getConsoleMode } from "../mode";
import { Prefetched, serverTrpc } from "../prefetch";
import { Operations } from "./Operations";

export const metadata: Metadata = { title: "Operations" };

export default async function OperationsPage() {
  const [context, mode] = await Promise.all([getConsoleContext(), getConsoleMode()]);
  const header = (
    <header className={styles.pageHeader}>
      <div>
        <h1>Operations</h1>
        <p className={styles.lead}>
          The background jobs that keep your end-customers&apos; tokens fresh: which processes run them, how full their queues are, and
          which {mode}-mode accounts need attention.
        </p>
      </div>
    </header>
  );
  // The navigation hides the page from members; one who follows a link is told why rather than shown a refusal.
  if (context?.role === "member") {
    return (
      <>
        {header}
        <div className={styles.empty}>
          <p>
            Operations shows this Layers instance&apos;s worker processes, so only owners and admins see it. Accounts that need their
            end-customer are on the <Link href="/console/accounts?status=needs_reauth">Accounts</Link> page.
          </p>
        </div>
      </>
    );
  }
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.operations.status.queryOptions({ mode }));
  return (
    <>
      {header}
      <Prefetched>
        <Operations />
      </Prefetched>
    </>
  );
}
