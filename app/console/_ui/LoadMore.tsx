"use client";

import styles from "../console.module.css";
import { ErrorAlert } from "./Alert";

interface Pages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage: () => unknown;
}

/** The foot of a paged list: how many are shown, a "Load more" button while there are more, and its error. */
export function LoadMore({ pages, shown, noun }: { pages: Pages; shown: number; noun: [singular: string, plural: string] }) {
  return (
    <>
      <p className={`${styles.small} ${styles.muted}`} role="status">
        {`Showing ${shown} ${shown === 1 ? noun[0] : noun[1]}${pages.hasNextPage ? "" : ", all there are"}.`}
      </p>
      {pages.isFetchNextPageError ? <ErrorAlert error={pages.error} /> : null}
      {pages.hasNextPage ? (
        <div className={styles.more}>
          <button type="button" className={styles.buttonSecondary} onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
            Load more
          </button>
        </div>
      ) : null}
    </>
  );
}
