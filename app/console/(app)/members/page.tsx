import type { Metadata } from "next";
import styles from "../../console.module.css";
import { Prefetched, serverTrpc } from "../prefetch";
import { Members } from "./Members";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.members.list.queryOptions());
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Members</h1>
          <p className={styles.lead}>
            Owners and admins change things; members can look at everything but change nothing. Owners also change roles and
            remove members; an organization always keeps an owner.
          </p>
        </div>
      </header>
      <Prefetched>
        <Members />
      </Prefetched>
    </>
  );
}
