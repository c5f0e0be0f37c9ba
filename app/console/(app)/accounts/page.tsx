import type { Metadata } from "next";
import { ids } from "@/server/contract/ids";
import { ACCOUNT_STATUSES } from "@/server/contract/vocabulary";
import styles from "../../console.module.css";
import { getConsoleMode } from "../mode";
import { Prefetched, serverTrpc } from "../prefetch";
import { type AccountFilters, Accounts } from "./Accounts";

export const metadata: Metadata = { title: "Accounts" };

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const oneOf = <T extends string>(allowed: readonly T[], value: string | undefined): T | undefined =>
  allowed.includes(value as T) ? (value as T) : undefined;

export default async function AccountsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const projectId = one(params.projectId);
  // Filters live in the URL, so "accounts that need the end-customer" can be bookmarked and linked to.
  const filters: AccountFilters = {
    projectId: projectId && ids.prj.safeParse(projectId).success ? projectId : undefined,
    status: oneOf(ACCOUNT_STATUSES, one(params.status)),
  };
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.accounts.list.infiniteQueryOptions({ ...filters, mode }, { getNextPageParam: (page) => page.nextCursor })),
    queryClient.prefetchQuery(trpc.projects.list.queryOptions()),
  ]);
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Accounts</h1>
          <p className={styles.lead}>
            {mode === "test" ? "Sandbox accounts connected with test keys." : "TikTok and Instagram accounts your end-customers connected."} Their
            tokens never leave the server; Layers refreshes them before they expire. An account that needs reauth can only be fixed by its
            end-customer connecting again.
          </p>
        </div>
      </header>
      <Prefetched>
        <Accounts filters={filters} />
      </Prefetched>
    </>
  );
}
