import type { Metadata } from "next";
import styles from "../../console.module.css";
import { getConsoleMode } from "../mode";
import { Prefetched, serverTrpc } from "../prefetch";
import { Attempts, type AttemptFilters } from "./Attempts";

export const metadata: Metadata = { title: "Attempts" };

const STATUSES = ["pending", "completed", "failed", "expired"] as const;
const PLATFORMS = ["tiktok", "instagram"] as const;

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const oneOf = <T extends string>(allowed: readonly T[], value: string | undefined): T | undefined =>
  allowed.includes(value as T) ? (value as T) : undefined;

export default async function AttemptsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const projectId = one(params.projectId);
  // Filters live in the URL, so a filtered list can be bookmarked and shared.
  const filters: AttemptFilters = {
    status: oneOf(STATUSES, one(params.status)),
    platform: oneOf(PLATFORMS, one(params.platform)),
    projectId: projectId && /^prj_[0-9A-Za-z]+$/.test(projectId) ? projectId : undefined,
  };
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.attempts.list.infiniteQueryOptions({ ...filters, mode }, { getNextPageParam: (page) => page.nextCursor })),
    queryClient.prefetchQuery(trpc.projects.list.queryOptions()),
  ]);
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Attempts</h1>
          <p className={styles.lead}>
            Every authorize URL your {mode} keys created, newest first. An attempt is pending until the end-customer comes back.
          </p>
        </div>
      </header>
      <Prefetched>
        <Attempts filters={filters} />
      </Prefetched>
    </>
  );
}
