import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ID_PATTERNS } from "@/server/contract/ids";
import { getConsoleMode } from "../../mode";
import { Prefetched, serverTrpc } from "../../prefetch";
import { AttemptDetail } from "./AttemptDetail";

export const metadata: Metadata = { title: "Attempt" };

/** The state in the path, or null when it cannot be one (bad percent-encoding, not `st_…`). */
function stateOf(segment: string): string | null {
  try {
    const state = decodeURIComponent(segment);
    return ID_PATTERNS.st.test(state) ? state : null;
  } catch {
    return null;
  }
}

/** A malformed state and one this organization does not have (in this mode) are the same not-found page, answered 404. */
export default async function AttemptPage({ params }: { params: Promise<{ state: string }> }) {
  const state = stateOf((await params).state);
  if (!state) notFound();
  const [{ trpc, queryClient }, mode] = await Promise.all([serverTrpc(), getConsoleMode()]);
  const options = trpc.attempts.get.queryOptions({ state, mode });
  await queryClient.prefetchQuery(options);
  // The in-process call failed as a TRPCError; its code says whether this organization has the attempt in this mode.
  const failed = queryClient.getQueryState(options.queryKey)?.error as { code?: unknown } | null | undefined;
  if (failed?.code === "NOT_FOUND") notFound();
  return (
    <Prefetched>
      <AttemptDetail state={state} />
    </Prefetched>
  );
}
