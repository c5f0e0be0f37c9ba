import { HostedCard, hosted } from "../HostedCard";

/** /connect/<unknown>: the hosted error page, answered with 404 (CONTRACT.md §4). */
export default function UnknownConnectLink() {
  return (
    <HostedCard title="This connection link is not valid" badge="Connection problem" tone="bad">
      <p className={hosted.text}>We could not find the connection attempt this link belongs to. Go back to the app you came from and start connecting again.</p>
    </HostedCard>
  );
}
