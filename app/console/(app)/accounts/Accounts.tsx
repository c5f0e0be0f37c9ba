"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { LoadMore } from "../../_ui/LoadMore";
import { StatusBadge } from "../../_ui/Badge";
import { ConfirmAction } from "../../_ui/ConfirmAction";
import { None } from "../../_ui/None";
import { platformLabel } from "../../_ui/format";
import { Time } from "../../_ui/Time";
import { type RouterOutputs, useConsoleMode, useTRPC, useViewer } from "../../trpc";

type Account = RouterOutputs["accounts"]["list"]["items"][number];

export function Accounts({ projectId }: { projectId?: string }) {
  const trpc = useTRPC();
  const { isAdmin } = useViewer();
  const mode = useConsoleMode();
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startTransition] = useTransition();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const accounts = useInfiniteQuery(
    trpc.accounts.list.infiniteQueryOptions({ projectId, mode }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const items = accounts.data?.pages.flatMap((page) => page.items) ?? [];
  const highlighted = useHash();

  return (
    <>
      <form className={styles.filters} role="search" aria-label="Filter accounts" onSubmit={(event) => event.preventDefault()}>
        <div className={styles.field}>
          <label htmlFor="filter-project">Project</label>
          <select
            id="filter-project"
            className={styles.select}
            value={projectId ?? ""}
            onChange={(event) => {
              const value = event.target.value;
              startTransition(() =>
                router.replace(value ? `${pathname}?projectId=${encodeURIComponent(value)}` : pathname, { scroll: false }),
              );
            }}
          >
            <option value="">All projects</option>
            {(projects.data ?? []).map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
                {project.archivedAt ? " (archived)" : ""}
              </option>
            ))}
            {projectId && projects.data && !projects.data.some((p) => p.id === projectId) ? (
              <option value={projectId}>{projectId}</option>
            ) : null}
          </select>
        </div>
      </form>

      <div aria-busy={navigating || accounts.isFetching ? true : undefined}>
        {accounts.isPending ? (
          <Loading what="accounts" />
        ) : accounts.isError && items.length === 0 ? (
          <LoadError error={accounts.error} retry={() => accounts.refetch()} />
        ) : items.length === 0 ? (
          <div className={styles.empty}>
            <p>
              {projectId
                ? `No ${mode}-mode accounts in this project yet.`
                : `No ${mode}-mode accounts yet. An account appears here when an end-customer finishes a connection made with a ${mode} key.`}
            </p>
          </div>
        ) : (
          <>
            <div className={styles.tableWrap}>
              <table className={styles.table}>
                <caption className={styles.visuallyHidden}>Connected social accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span className={styles.visuallyHidden}>Avatar</span>
                    </th>
                    <th scope="col">Username</th>
                    <th scope="col">Display name</th>
                    <th scope="col">Platform</th>
                    <th scope="col">Project</th>
                    <th scope="col">Status</th>
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
                    <AccountRow key={account.id} account={account} isAdmin={isAdmin} highlighted={highlighted === account.id} />
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

function AccountRow({ account, isAdmin, highlighted }: { account: Account; isAdmin: boolean; highlighted: boolean }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const queryClient = useQueryClient();
  const disconnect = useMutation(
    trpc.accounts.disconnect.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.accounts.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.overview.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() }),
        ]),
    }),
  );
  // Some platforms may not return a username: fall back to the display name, then the platform's user id.
  const handle = account.username ? `@${account.username}` : (account.displayName ?? account.platformUserId);
  const rowRef = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (highlighted) rowRef.current?.scrollIntoView({ block: "center" });
  }, [highlighted]);

  return (
    <tr
      id={account.id}
      className={highlighted ? styles.highlightRow : undefined}
      ref={rowRef}
    >
      <td>
        {account.avatarUrl ? (
          // Platform CDNs serve these: a plain <img>, and no referrer goes with the request.
          <img src={account.avatarUrl} alt="" width={32} height={32} className={styles.avatar} referrerPolicy="no-referrer" loading="lazy" />
        ) : (
          <span className={styles.avatarBlank} aria-hidden="true">
            {handle.replace(/^@/, "").slice(0, 1).toUpperCase()}
          </span>
        )}
      </td>
      <th scope="row">{handle}</th>
      <td>{account.displayName ?? <None />}</td>
      <td>{platformLabel(account.platform)}</td>
      <td>{account.projectName}</td>
      <td>
        <StatusBadge status={account.status} />
      </td>
      <td>
        <Time iso={account.createdAt} />
      </td>
      {isAdmin ? (
        <td>
          {account.status === "disconnected" ? null : (
            <div className={styles.rowActions}>
              <ConfirmAction
                label="Disconnect"
                accessibleName={`Disconnect ${handle}`}
                title={`Disconnect ${handle}?`}
                confirmLabel="Yes, disconnect"
                onConfirm={() => disconnect.mutateAsync({ id: account.id, mode })}
                compact
              >
                <p>
                  Layers asks {platformLabel(account.platform)} to revoke its tokens and deletes them. The end-customer has to
                  connect again before your product can use this account.
                </p>
              </ConfirmAction>
            </div>
          )}
        </td>
      ) : null}
    </tr>
  );
}
