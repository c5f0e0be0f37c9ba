import type { Metadata } from "next";
import { Prefetched, serverTrpc } from "../../prefetch";
import { KeyDetail } from "./KeyDetail";

export const metadata: Metadata = { title: "API key" };

export default async function KeyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.apiKeys.get.queryOptions({ id }));
  return (
    <Prefetched>
      <KeyDetail id={id} />
    </Prefetched>
  );
}
