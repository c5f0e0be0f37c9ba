"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useTransition } from "react";
import type { AppRouter } from "@/server/trpc/root";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { LoadMore } from "../../_ui/LoadMore";
import { useConsoleMode, useTRPC } from "../../trpc";
import { AttemptsTable } from "../_views/AttemptsTable";

/** The list filters in the URL (everything attempts.list takes but the cursor and the console's mode). */
export type AttemptFilters = Omit<inferRouterInputs<AppRouter>["attempts"]["list"], "cursor" | "mode">;

export function Attempts({ filters }: { filters: AttemptFilters }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startTransition] = useTransition();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const attempts = useInfiniteQuery(
    trpc.attempts.list.infiniteQueryOptions({ ...filters, mode }, { getNextPageParam: (page) => page.nextCursor }),
  );

  function setFilter(name: keyof AttemptFilters, value: string) {
    const next = new URLSearchParams();
    const merged = { ...filters, [name]: value || undefined };
    for (const [key, v] of Object.entries(merged)) if (v) next.set(key, v);
    const query = next.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }

  const filtered = Boolean(filters.status || filters.platform || filters.projectId);
  const items = attempts.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <form className={styles.filters} role="search" aria-label="Filter attempts" onSubmit={(event) => event.preventDefault()}>
        <div className={styles.field}>
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            className={styles.select}
            value={filters.status ?? ""}
            onChange={(event) => setFilter("status", event.target.value)}
          >
            <option value="">All statuses</option>
            <option value="pending">Pending</option>
            <option value="completed">Completed</option>
            <option value="failed">Failed</option>
            <option value="expired">Expired</option>
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor="filter-platform">Platform</label>
          <select
            id="filter-platform"
            className={styles.select}
            value={filters.platform ?? ""}
            onChange={(event) => setFilter("platform", event.target.value)}
          >
            <option value="">All platforms</option>
            <option value="tiktok">TikTok</option>
            <option value="instagram">Instagram</option>
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor="filter-project">Project</label>
          <select
            id="filter-project"
            className={styles.select}
            value={filters.projectId ?? ""}
            onChange={(event) => setFilter("projectId", event.target.value)}
          >
            <option value="">All projects</option>
            {(projects.data ?? []).map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
                {project.archivedAt ? " (archived)" : ""}
              </option>
            ))}
            {filters.projectId && projects.data && !projects.data.some((p) => p.id === filters.projectId) ? (
              <option value={filters.projectId}>{filters.projectId}</option>
            ) : null}
          </select>
        </div>
        {filtered ? (
          <Link href={pathname} className={`${styles.buttonGhost}`} replace scroll={false}>
            Clear filters
          </Link>
        ) : null}
      </form>

      <div aria-busy={navigating || attempts.isFetching ? true : undefined}>
        {attempts.isPending ? (
          <Loading what="attempts" />
        ) : attempts.isError && items.length === 0 ? (
          <LoadError error={attempts.error} retry={() => attempts.refetch()} />
        ) : items.length === 0 ? (
          <div className={styles.empty}>
            <p>
              {filtered
                ? "No attempts match these filters."
                : `No ${mode}-mode attempts yet. One is recorded each time your backend calls POST /v1/projects/:projectId/social/oauth-url with a ${mode} key.`}
            </p>
          </div>
        ) : (
          <>
            <AttemptsTable attempts={items} caption="Connection attempts, newest first" />
            <LoadMore pages={attempts} shown={items.length} noun={["attempt", "attempts"]} />
          </>
        )}
      </div>
    </>
  );
}
