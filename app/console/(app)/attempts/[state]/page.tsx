import type { Metadata } from "next";
import { getConsoleMode } from "../../mode";
import { Prefetched, serverTrpc } from "../../prefetch";
import { AttemptDetail } from "./AttemptDetail";

export const metadata: Metadata = { title: "Attempt" };

export default async function AttemptPage({ params }: { params: Promise<{ state: string }> }) {
  const state = decodeURIComponent((await params).state);
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await queryClient.prefetchQuery(trpc.attempts.get.queryOptions({ state, mode }));
  return (
    <Prefetched>
      <AttemptDetail state={state} />
    </Prefetched>
  );
}
