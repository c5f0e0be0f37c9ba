"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import styles from "../../../console.module.css";
import { LoadError, Loading } from "../../../_ui/Alert";
import { Badge, ModeBadge, StatusBadge } from "../../../_ui/Badge";
import { None } from "../../../_ui/None";
import { errorStatus } from "../../../_ui/errors";
import { platformLabel } from "../../../_ui/format";
import { Time } from "../../../_ui/Time";
import { useConsoleMode, useTRPC } from "../../../trpc";
import { AttemptNotFound } from "./AttemptNotFound";

function Scopes({ scopes, tone, empty = "none" }: { scopes: string[] | null; tone?: "green" | "red"; empty?: string }) {
  if (!scopes || scopes.length === 0) return <None label={empty} />;
  return (
    <span className={styles.badges}>
      {scopes.map((scope) => (
        <Badge key={scope} tone={tone}>
          {scope}
        </Badge>
      ))}
    </span>
  );
}

export function AttemptDetail({ state }: { state: string }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const attempt = useQuery(trpc.attempts.get.queryOptions({ state, mode }));

  const crumb = (
    <p className={styles.crumb}>
      <Link href="/console/attempts">← Attempts</Link>
    </p>
  );
  // Gone since the page was served (or looked for in the other mode): the not-found page's words.
  if (attempt.isError && errorStatus(attempt.error) === 404) return <AttemptNotFound />;
  if (attempt.isPending || attempt.isError) {
    return (
      <>
        {crumb}
        <h1>Attempt</h1>
        {attempt.isPending ? <Loading what="the attempt" /> : <LoadError error={attempt.error} retry={() => attempt.refetch()} />}
      </>
    );
  }
  const a = attempt.data;

  return (
    <>
      {crumb}
      <header className={styles.pageHeader}>
        <div>
          <h1>
            {platformLabel(a.platform)} attempt <span className={`${styles.mono} ${styles.muted}`}>{a.state}</span>
          </h1>
          <p className={`${styles.lead} ${styles.badges}`}>
            <StatusBadge status={a.status} />
            <ModeBadge live={a.livemode} />
          </p>
        </div>
      </header>

      <section className={styles.panel} aria-labelledby="attempt-facts-title">
        <h2 id="attempt-facts-title">Details</h2>
        <dl className={styles.facts}>
          <dt>State</dt>
          <dd className={styles.mono}>{a.state}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={a.status} />
          </dd>
          <dt>Platform</dt>
          <dd>{platformLabel(a.platform)}</dd>
          <dt>Project</dt>
          <dd>
            <Link href={`/console/attempts?projectId=${encodeURIComponent(a.projectId)}`}>{a.projectName}</Link>{" "}
            <span className={`${styles.mono} ${styles.muted}`}>{a.projectId}</span>
          </dd>
          <dt>API key</dt>
          <dd>
            <Link href={`/console/keys/${encodeURIComponent(a.keyId)}`}>{a.keyName}</Link>
          </dd>
          <dt>Usage note</dt>
          <dd>{a.usageNote ?? <None />}</dd>
          <dt>Return URL</dt>
          <dd className={styles.mono}>{a.returnUrl}</dd>
          <dt>Created</dt>
          <dd>
            <Time iso={a.createdAt} />
          </dd>
          <dt>Expires</dt>
          <dd>
            <Time iso={a.expiresAt} />
          </dd>
          <dt>Completed</dt>
          <dd>{a.completedAt ? <Time iso={a.completedAt} /> : <None label="not completed" />}</dd>
        </dl>
      </section>

      <section className={styles.panel} aria-labelledby="attempt-scopes-title">
        <h2 id="attempt-scopes-title">Scopes</h2>
        <dl className={styles.facts}>
          <dt>Requested</dt>
          <dd>
            <Scopes scopes={a.scopes} />
          </dd>
          <dt>Granted</dt>
          <dd>
            <Scopes scopes={a.grantedScopes} tone="green" empty={a.status === "completed" ? "none" : "not known yet"} />
          </dd>
          <dt>Missing</dt>
          <dd>
            <Scopes scopes={a.missingScopes} tone="red" empty={a.status === "completed" ? "none" : "not known yet"} />
          </dd>
        </dl>
      </section>

      {a.errorCode || a.errorMessage ? (
        <section className={styles.panel} aria-labelledby="attempt-error-title">
          <h2 id="attempt-error-title">Error</h2>
          <dl className={styles.facts}>
            <dt>Code</dt>
            <dd className={styles.mono}>{a.errorCode ?? <None />}</dd>
            <dt>Message</dt>
            <dd>{a.errorMessage ?? <None />}</dd>
          </dl>
        </section>
      ) : null}

      <section className={styles.panel} aria-labelledby="attempt-account-title">
        <h2 id="attempt-account-title">Account</h2>
        {a.socialAccountId ? (
          <p>
            Connected account{" "}
            <Link href={`/console/accounts?projectId=${encodeURIComponent(a.projectId)}#${encodeURIComponent(a.socialAccountId)}`}>
              {a.socialAccountId}
            </Link>
            .
          </p>
        ) : (
          <p className={styles.muted}>No account was connected by this attempt.</p>
        )}
      </section>
    </>
  );
}
