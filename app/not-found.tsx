import type { Metadata } from "next";
import Link from "next/link";
import { HostedCard, hosted } from "./connect/HostedCard";

export const metadata: Metadata = { title: "Page not found · Layers Connect", robots: { index: false } };

/** Any path nothing serves (the API's own unknown paths answer JSON: app/v1/[...path]). */
export default function NotFound() {
  return (
    <HostedCard title="This page does not exist" badge="Not found" tone="bad">
      <p className={hosted.text}>The address may be mistyped, or the page may have moved.</p>
      <p className={hosted.text}>
        Admins: the <Link href="/console">console</Link>. Developers: the <Link href="/docs">API reference</Link>.
      </p>
    </HostedCard>
  );
}
