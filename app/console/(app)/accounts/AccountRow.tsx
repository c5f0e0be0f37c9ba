"use client";

import { type InfiniteData, type QueryClient, useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import styles from "../../console.module.css";
import { ErrorAlert } from "../../_ui/Alert";
import { StatusBadge } from "../../_ui/Badge";
import { ConfirmAction } from "../../_ui/ConfirmAction";
import { errorStatus } from "../../_ui/errors";
import { platformLabel, reauthDetail, reauthLabel } from "../../_ui/format";
import { Expiry, RelativeTime } from "../../_ui/RelativeTime";
import { Time } from "../../_ui/Time";
import { type RouterOutputs, useConsoleMode, useTRPC } from "../../trpc";

export type Account = RouterOutputs["accounts"]["list"]["items"][number];
type AccountPages = InfiniteData<RouterOutputs["accounts"]["list"]>;

/** Rewrites one account in every cached page of the accounts list, so its row changes at once. */
function patchAccount(queryClient: QueryClient, pathKey: readonly unknown[], id: string, change: Partial<Account>) {
  queryClient.setQueriesData<AccountPages>({ queryKey: pathKey }, (data) =>
    data?.pages
      ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === id ? { ...item, ...change } : item)) })) }
      : data,
  );
}

type Props = {
  account: Account;
  isAdmin: boolean;
  highlighted: boolean;
  /** The list is filtered by status, so a change of status can take the row out of it. */
  filtered: boolean;
  /** The table's column count, for the row that spells out a failed refresh under the account's. */
  columns: number;
};

export function AccountRow({ account, isAdmin, highlighted, filtered, columns }: Props) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const queryClient = useQueryClient();
  const listKey = trpc.accounts.list.pathKey();
  const otherViews = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.overview.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.operations.status.pathKey() }),
    ]);
  const disconnect = useMutation(
    trpc.accounts.disconnect.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: listKey }),
          queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() }),
          otherViews(),
        ]),
    }),
  );
  const refresh = useMutation(
    trpc.accounts.refresh.mutationOptions({
      onSuccess: (fresh) => {
        patchAccount(queryClient, listKey, account.id, fresh);
        return Promise.all([queryClient.invalidateQueries({ queryKey: listKey }), otherViews()]);
      },
      onError: (error) => {
        // 409: the platform refused for good, and the account now needs its end-customer.
        if (errorStatus(error) === 409) patchAccount(queryClient, listKey, account.id, { status: "needs_reauth" });
        // A list filtered by status would drop this row, and the message with it: it is refetched when next shown.
        return Promise.all([queryClient.invalidateQueries({ queryKey: listKey, refetchType: filtered ? "none" : "active" }), otherViews()]);
      },
    }),
  );
  // Some platforms may not return a username: fall back to the display name, then the platform's user id.
  const handle = account.username ? `@${account.username}` : (account.displayName ?? account.platformUserId);
  const rowRef = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (highlighted) rowRef.current?.scrollIntoView({ block: "center" });
  }, [highlighted]);

  const failed = isAdmin && refresh.isError;
  const rowClass = [highlighted ? styles.highlightRow : undefined, failed ? styles.rowWithMessage : undefined].filter(Boolean).join(" ");

  return (
    <>
      <tr id={account.id} className={rowClass || undefined} ref={rowRef}>
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
        <th scope="row">
          {handle}
          {account.displayName && account.displayName !== account.username && handle !== account.displayName ? (
            <span className={`${styles.block} ${styles.small} ${styles.muted}`}>{account.displayName}</span>
          ) : null}
        </th>
        <td>{platformLabel(account.platform)}</td>
        <td>{account.projectName}</td>
        <td>
          <StatusBadge status={account.status} />
          {account.reauthReason ? (
            <span className={`${styles.block} ${styles.small} ${styles.muted}`} title={reauthDetail(account.reauthReason)}>
              {reauthLabel(account.reauthReason)}
            </span>
          ) : null}
        </td>
        <td className={styles.nowrap}>
          <span className={styles.block}>
            {account.status === "disconnected" ? "Tokens deleted" : <Expiry iso={account.accessTokenExpiresAt} fallback="No expiry given" />}
          </span>
          <span className={`${styles.block} ${styles.small} ${styles.muted}`}>
            {account.lastRefreshedAt ? (
              <>
                Refreshed <RelativeTime iso={account.lastRefreshedAt} tense="past" />
              </>
            ) : (
              "Never refreshed"
            )}
          </span>
        </td>
        <td>
          <Time iso={account.createdAt} />
        </td>
        {isAdmin ? (
          <td>
            {account.status === "disconnected" ? null : (
              <div className={`${styles.rowActions} ${styles.rowActionsWrap}`}>
                {account.status === "active" ? (
                  <button
                    type="button"
                    className={`${styles.buttonSecondary} ${styles.compact}`}
                    aria-label={`Refresh now ${handle}`}
                    onClick={() => refresh.mutate({ id: account.id, mode })}
                    disabled={refresh.isPending}
                  >
                    {refresh.isPending ? "Refreshing…" : "Refresh now"}
                  </button>
                ) : null}
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
            <p role="status" className={`${styles.rowMessage} ${styles.small} ${styles.muted}`}>
              {refresh.isSuccess ? "Tokens refreshed." : ""}
            </p>
          </td>
        ) : null}
      </tr>
      {failed ? (
        // The platform's refusal is a sentence or two: it gets the table's width, right under its account.
        <tr className={styles.messageRow}>
          <td colSpan={columns}>
            <ErrorAlert error={refresh.error} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
