import type { Metadata } from "next";
import { ids } from "@/server/contract/ids";
import styles from "../../console.module.css";
import { getConsoleMode } from "../mode";
import { Prefetched, serverTrpc } from "../prefetch";
import { Accounts } from "./Accounts";

export const metadata: Metadata = { title: "Accounts" };

export default async function AccountsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).projectId;
  const requested = Array.isArray(raw) ? raw[0] : raw;
  const projectId = requested && ids.prj.safeParse(requested).success ? requested : undefined;
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.accounts.list.infiniteQueryOptions({ projectId, mode }, { getNextPageParam: (page) => page.nextCursor })),
    queryClient.prefetchQuery(trpc.projects.list.queryOptions()),
  ]);
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Accounts</h1>
          <p className={styles.lead}>
            {mode === "test" ? "Sandbox accounts connected with test keys." : "TikTok and Instagram accounts your end-customers connected."} Their
            tokens never leave the server.
          </p>
        </div>
      </header>
      <Prefetched>
        <Accounts projectId={projectId} />
      </Prefetched>
    </>
  );
}
