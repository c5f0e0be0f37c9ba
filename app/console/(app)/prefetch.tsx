import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache, type ReactNode } from "react";
import { getConsoleContext } from "@/server/auth/session";
import { newId } from "@/db/ids";
import { getServices } from "@/server/services";
import { appRouter } from "@/server/trpc/root";

/**
 * First paint with data: a page's server component runs the same tRPC procedures in-process
 * (as the signed-in user) and hands the results to the client components' TanStack Query cache,
 * which then neither shows a loading state nor refetches right away.
 */
const getRequestQueryClient = cache(() => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000 } } }));

export async function serverTrpc() {
  const context = await getConsoleContext();
  const queryClient = getRequestQueryClient();
  const trpc = createTRPCOptionsProxy({
    router: appRouter,
    queryClient,
    // Reads only, made by the server itself: no browser origin to check.
    ctx: async () => ({ services: await getServices(), userId: context?.user.id ?? null, requestId: newId("req"), source: "in-process" as const }),
  });
  return { trpc, queryClient };
}

export function Prefetched({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getRequestQueryClient())}>{children}</HydrationBoundary>;
}
