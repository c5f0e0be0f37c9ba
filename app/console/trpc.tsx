"use client";

import { isServer, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
import type { KeyMode } from "@/server/contract/vocabulary";
import type { AppRouter } from "@/server/trpc/root";
import { errorStatus } from "./_ui/errors";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** What the procedures return, as the console receives it (dates are ISO strings). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Role = RouterOutputs["me"]["role"];

/** Retrying a refusal (not found, forbidden, bad input) only delays the message. */
function retryable(failureCount: number, error: unknown) {
  const status = errorStatus(error);
  return failureCount < 1 && !(status && status >= 400 && status < 500);
}

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Data arrives with the page; refetching it the instant the page hydrates is wasted work.
      queries: { staleTime: 30_000, retry: retryable },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

/** One client per request on the server (no cross-request cache), one for the whole tab in the browser. */
export function getQueryClient() {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

type Viewer = { role: Role; isAdmin: boolean; userId: string };
const ViewerContext = createContext<Viewer | null>(null);

/** The signed-in user's role, for hiding what they may not do (the server enforces it regardless). */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer outside ConsoleProviders");
  return viewer;
}

export type ConsoleMode = KeyMode;
const ModeContext = createContext<ConsoleMode | null>(null);

/** The mode the console shows: every query over attempts, accounts and the overview names it. */
export function useConsoleMode(): ConsoleMode {
  const mode = useContext(ModeContext);
  if (!mode) throw new Error("useConsoleMode outside ConsoleProviders");
  return mode;
}

export function ConsoleProviders({ role, userId, mode, children }: { role: Role; userId: string; mode: ConsoleMode; children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc" })] }),
  );
  const viewer: Viewer = { role, userId, isAdmin: role === "owner" || role === "admin" };
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ViewerContext.Provider value={viewer}>
          <ModeContext.Provider value={mode}>{children}</ModeContext.Provider>
        </ViewerContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
