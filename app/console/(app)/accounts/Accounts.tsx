"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import type { AppRouter } from "@/server/trpc/root";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { LoadMore } from "../../_ui/LoadMore";
import { useConsoleMode, useTRPC, useViewer } from "../../trpc";
import { AccountRow } from "./AccountRow";

/** The list filters in the URL (everything accounts.list takes but the cursor and the console's mode). */
export type AccountFilters = Omit<inferRouterInputs<AppRouter>["accounts"]["list"], "cursor" | "mode">;

export function Accounts({ filters }: { filters: AccountFilters }) {
  const trpc = useTRPC();
  const { isAdmin } = useViewer();
  const mode = useConsoleMode();
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startTransition] = useTransition();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const accounts = useInfiniteQuery(
    trpc.accounts.list.infiniteQueryOptions({ ...filters, mode }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const items = accounts.data?.pages.flatMap((page) => page.items) ?? [];
  const highlighted = useHash();
  const filtered = Boolean(filters.projectId || filters.status);

  function setFilter(name: keyof AccountFilters, value: string) {
    const next = new URLSearchParams();
    const merged = { ...filters, [name]: value || undefined };
    for (const [key, v] of Object.entries(merged)) if (v) next.set(key, v);
    const query = next.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }

  return (
    <>
      <form className={styles.filters} role="search" aria-label="Filter accounts" onSubmit={(event) => event.preventDefault()}>
        <div className={styles.field}>
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" className={styles.select} value={filters.status ?? ""} onChange={(event) => setFilter("status", event.target.value)}>
            <option value="">All statuses</option>
            <option value="active">Active</option>
            <option value="needs_reauth">Needs the end-customer to reconnect</option>
            <option value="disconnected">Disconnected</option>
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor="filter-project">Project</label>
          <select id="filter-project" className={styles.select} value={filters.projectId ?? ""} onChange={(event) => setFilter("projectId", event.target.value)}>
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
          <Link href={pathname} className={styles.buttonGhost} replace scroll={false}>
            Clear filters
          </Link>
        ) : null}
      </form>

      <div aria-busy={navigating || accounts.isFetching ? true : undefined}>
        {accounts.isPending ? (
          <Loading what="accounts" />
        ) : accounts.isError && items.length === 0 ? (
          <LoadError error={accounts.error} retry={() => accounts.refetch()} />
        ) : items.length === 0 ? (
          <div className={styles.empty}>
            <p>{emptyText(filters, mode)}</p>
          </div>
        ) : (
          <>
            <div className={styles.tableWrap}>
              <table className={styles.table}>
                <caption className={styles.visuallyHidden}>Connected social accounts and their health</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span className={styles.visuallyHidden}>Avatar</span>
                    </th>
                    <th scope="col">Account</th>
                    <th scope="col">Platform</th>
                    <th scope="col">Project</th>
                    <th scope="col">Status</th>
                    <th scope="col">Access token</th>
                    <th scope="col">Connected</th>
                    {isAdmin ? (
                      <th scope="col">
                        <span className={styles.visuallyHidden}>Actions</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {items.map((account) => (
                    <AccountRow
                      key={account.id}
                      account={account}
                      isAdmin={isAdmin}
                      highlighted={highlighted === account.id}
                      filtered={Boolean(filters.status)}
                      columns={isAdmin ? 8 : 7}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            <LoadMore pages={accounts} shown={items.length} noun={["account", "accounts"]} />
          </>
        )}
      </div>
    </>
  );
}

function emptyText(filters: AccountFilters, mode: string): string {
  if (filters.status === "needs_reauth") return `No ${mode}-mode accounts${filters.projectId ? " in this project" : ""} need their end-customer to reconnect.`;
  if (filters.status) return "No accounts match these filters.";
  if (filters.projectId) return `No ${mode}-mode accounts in this project yet.`;
  return `No ${mode}-mode accounts yet. An account appears here when an end-customer finishes a connection made with a ${mode} key.`;
}

/** The account id in the URL fragment (links from an attempt point at its account's row). */
function useHash() {
  const [hash, setHash] = useState<string | null>(null);
  useEffect(() => {
    const read = () => setHash(decodeURIComponent(window.location.hash.slice(1)) || null);
    read();
    window.addEventListener("hashchange", read);
    return () => window.removeEventListener("hashchange", read);
  }, []);
  return hash;
}
