import type { Metadata } from "next";
import { Prefetched, serverTrpc } from "../../prefetch";
import { AttemptDetail } from "./AttemptDetail";

export const metadata: Metadata = { title: "Attempt" };

export default async function AttemptPage({ params }: { params: Promise<{ state: string }> }) {
  const state = decodeURIComponent((await params).state);
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.attempts.get.queryOptions({ state }));
  return (
    <Prefetched>
      <AttemptDetail state={state} />
    </Prefetched>
  );
}
