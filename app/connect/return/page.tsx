import type { Metadata } from "next";
import { returnView } from "@/server/hosted/views";
import { awaitAttemptEnd } from "@/server/attempts/wait";
import { domainContext } from "@/server/domain/context";
import { getServices } from "@/server/services";
import { HostedCard, hosted } from "../HostedCard";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Connection result · Layers Connect", robots: { index: false } };

/** How long the page waits for an attempt still in progress: the end-customer would rather see the outcome than "waiting". */
const OUTCOME_WAIT_MS = 5_000;

// /connect/return?state= – the outcome in plain words, for integrators without a return page of their own
export default async function ReturnPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const param = (await searchParams).state;
  const state = typeof param === "string" ? param : undefined;
  const ctx = domainContext(await getServices());
  if (state) await awaitAttemptEnd(ctx, state, OUTCOME_WAIT_MS);
  const view = await returnView(ctx, state);
  switch (view.kind) {
    case "completed": {
      const name = view.username ? `@${view.username}` : view.displayName;
      const title = name ? `Your ${view.platform} account ${name} is connected.` : `Your ${view.platform} account is connected.`;
      return (
        <HostedCard title={title} badge="Connected" tone="ok">
          <p className={hosted.text}>You can close this tab.</p>
        </HostedCard>
      );
    }
    case "failed":
      return (
        <HostedCard title={`Your ${view.platform} account was not connected`} badge="Not connected" tone="bad">
          <p className={hosted.text}>The connection did not complete because {view.reason}.</p>
          <p className={hosted.text}>You can close this tab and start again from the app you came from.</p>
        </HostedCard>
      );
    case "pending":
      return (
        <HostedCard title={`Waiting for ${view.platform}`} badge="In progress" tone="wait">
          <p className={hosted.text}>The connection has not finished yet. Finish on {view.platform}, then come back to this page.</p>
        </HostedCard>
      );
    case "expired":
      return (
        <HostedCard title="This connection attempt expired" badge="Expired" tone="wait">
          <p className={hosted.text}>Connection links are valid for 10 minutes. Start again from the app you came from.</p>
        </HostedCard>
      );
    default:
      return (
        <HostedCard title="We could not find this connection" badge="Connection problem" tone="bad">
          <p className={hosted.text}>
            This page shows the result of a connection, but the link does not name one we know. Go back to the app you came from.
          </p>
        </HostedCard>
      );
  }
}
