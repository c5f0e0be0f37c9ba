import type { Metadata } from "next";
import { getConsoleMode } from "../../mode";
import { Prefetched, serverTrpc } from "../../prefetch";
import { EndpointDetail } from "./EndpointDetail";

export const metadata: Metadata = { title: "Webhook endpoint" };

export default async function WebhookEndpointPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  await Promise.all([
    queryClient.prefetchQuery(trpc.webhooks.list.queryOptions({ mode })),
    queryClient.prefetchInfiniteQuery(trpc.webhooks.deliveries.infiniteQueryOptions({ endpointId: id, mode }, { getNextPageParam: (page) => page.nextCursor })),
  ]);
  return (
    <Prefetched>
      <EndpointDetail id={id} />
    </Prefetched>
  );
}
