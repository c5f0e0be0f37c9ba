import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connectView } from "@/server/hosted/views";
import { domainContext } from "@/server/domain/context";
import { getServices } from "@/server/services";
import { HostedCard, hosted } from "../HostedCard";
import { LinkExpiry } from "../LinkExpiry";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Connect your account · Layers Connect", robots: { index: false } };

// /connect/:state – a page integrators may send the end-customer to before the platform's consent page
export default async function ConnectPage({ params }: { params: Promise<{ state: string }> }) {
  const view = await connectView(domainContext(await getServices()), (await params).state);
  switch (view.kind) {
    case "unknown":
      // The hosted error page with a 404 (not-found.tsx beside this file).
      notFound();
    case "ready":
      return (
        <HostedCard title={`Connect your ${view.platform} account`}>
          <p className={hosted.text}>
            <strong>{view.projectName}</strong> asks to connect your {view.platform} account. {view.platform} will show you what it
            may access, and you decide.
          </p>
          {/* A POST, not a link: the authorize URL and the browser binding come from pressing it (server/hosted/press.ts). */}
          <form method="post" action={`/connect/${view.state}/go`}>
            <button type="submit" className={hosted.button}>
              Continue to {view.platform}
            </button>
          </form>
          <p className={hosted.fine}>
            <LinkExpiry expiresAt={view.expiresAt.toISOString()} />
            {view.livemode ? "" : " Test mode: you will see a sandbox, not the real platform."}
          </p>
        </HostedCard>
      );
    case "expired":
      return (
        <HostedCard title="This connection link has expired" badge="Expired" tone="wait">
          <p className={hosted.text}>Connection links are valid for 10 minutes. Go back to the app you came from and start again.</p>
        </HostedCard>
      );
    default:
      return (
        <HostedCard title="This connection link was already used" badge={view.kind === "completed" ? "Connected" : "Finished"} tone={view.kind === "completed" ? "ok" : "bad"}>
          <p className={hosted.text}>
            This {view.platform} connection for {view.projectName} is {view.kind === "completed" ? "complete" : "finished"}. You can close this tab.
          </p>
        </HostedCard>
      );
  }
}
