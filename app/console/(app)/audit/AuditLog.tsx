"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import styles from "../../console.module.css";
import { LoadError, Loading } from "../../_ui/Alert";
import { LoadMore } from "../../_ui/LoadMore";
import { Badge } from "../../_ui/Badge";
import { None } from "../../_ui/None";
import { actionLabel, platformLabel, roleLabel } from "../../_ui/format";
import { Time } from "../../_ui/Time";
import { type RouterOutputs, useTRPC } from "../../trpc";

type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

// The label already says "API key …" or names the user; the CLI and the system get a tag.
const ACTOR_TYPE: Record<AuditEvent["actorType"], string | null> = { user: null, cli: "CLI", api_key: null, system: "System" };

const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);

/** The thing acted on, in words, linked where the console has a page for it. */
function target(event: AuditEvent, keyNames: Map<string, string>): ReactNode {
  const data = event.data ?? {};
  const id = event.targetId;
  switch (event.targetType) {
    case "api_key":
      return id ? (
        <Link href={`/console/keys/${encodeURIComponent(id)}`}>{text(data.name) ?? keyNames.get(id) ?? text(data.prefix) ?? id}</Link>
      ) : null;
    case "project":
      if (event.action === "project.renamed") return <>“{text(data.from)}” → “{text(data.to)}”</>;
      return text(data.name) ?? id;
    case "social_account": {
      const who = text(data.username) ? `@${text(data.username)}` : id;
      const platform = text(data.platform);
      return (
        <>
          {who}
          {platform ? ` on ${platformLabel(platform)}` : ""}
        </>
      );
    }
    case "user":
      // Signing in or out names the actor already: no target to repeat.
      return text(data.email) ?? (event.action === "user.signed_in" || event.action === "user.signed_out" ? null : id);
    case "organization":
      return text(data.name) ?? null;
    // Not linked: the endpoint may be of the other mode, or deleted. Only creation and deletion record its URL.
    case "webhook_endpoint":
      return text(data.url) ? <span className={styles.mono}>{text(data.url)}</span> : id;
    default:
      return id;
  }
}

/** The one fact that matters beyond the target: the URL, the new budgets, the role. */
function detail(event: AuditEvent): ReactNode {
  const data = event.data ?? {};
  switch (event.action) {
    case "allowlist.added":
    case "allowlist.removed":
      return <span className={styles.mono}>{text(data.url)}</span>;
    case "api_key.budgets_changed":
      return (
        <span className={styles.small}>
          write <span className={styles.mono}>{text(data.writeLimit) ?? "default"}</span>, read{" "}
          <span className={styles.mono}>{text(data.readLimit) ?? "default"}</span>
        </span>
      );
    case "api_key.created":
      return (
        <span className={styles.badges}>
          {text(data.mode) ? <Badge tone={data.mode === "live" ? "blue" : "neutral"}>{data.mode === "live" ? "Live" : "Test"}</Badge> : null}
          {Array.isArray(data.scopes) ? data.scopes.map((scope) => <Badge key={String(scope)}>{String(scope)}</Badge>) : null}
        </span>
      );
    case "user.created":
      return text(data.role) ? roleLabel(String(data.role)) : null;
    default:
      return null;
  }
}

export function AuditLog() {
  const trpc = useTRPC();
  const events = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions({}, { getNextPageParam: (page) => page.nextCursor }));
  // Most key events carry only the key's id: name it from the key list.
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const keyNames = new Map((keys.data ?? []).map((key) => [key.id, key.name]));
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  if (events.isPending) return <Loading what="the audit log" />;
  if (events.isError && items.length === 0) return <LoadError error={events.error} retry={() => events.refetch()} />;
  if (items.length === 0)
    return (
      <div className={styles.empty}>
        <p>Nothing has happened yet.</p>
      </div>
    );

  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.table}>
          <caption className={styles.visuallyHidden}>Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => {
              const kind = ACTOR_TYPE[event.actorType];
              return (
                <tr key={event.id}>
                  <td className={styles.nowrap}>
                    <Time iso={event.createdAt} />
                  </td>
                  <th scope="row">
                    {event.actorLabel}
                    {kind ? (
                      <>
                        {" "}
                        <Badge>{kind}</Badge>
                      </>
                    ) : null}
                  </th>
                  <td>
                    {actionLabel(event.action)} {target(event, keyNames)}
                  </td>
                  <td className={styles.wrapAnywhere}>{detail(event) ?? <None />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <LoadMore pages={events} shown={items.length} noun={["event", "events"]} />
    </>
  );
}
