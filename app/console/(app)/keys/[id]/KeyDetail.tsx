"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import styles from "../../../console.module.css";
import { ErrorAlert, LoadError, Loading } from "../../../_ui/Alert";
import { Badge, ModeBadge } from "../../../_ui/Badge";
import { Budget, BudgetFields } from "../../../_ui/BudgetFields";
import { ConfirmAction } from "../../../_ui/ConfirmAction";
import { None } from "../../../_ui/None";
import { Time } from "../../../_ui/Time";
import { type RouterOutputs, useTRPC, useViewer } from "../../../trpc";
import local from "../keys.module.css";

type KeyDetailData = RouterOutputs["apiKeys"]["get"];

function useInvalidateKey(id: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.apiKeys.get.queryKey({ id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.overview.get.queryKey() }),
    ]);
}

export function KeyDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { isAdmin } = useViewer();
  const key = useQuery(trpc.apiKeys.get.queryOptions({ id }));

  const crumb = (
    <p className={styles.crumb}>
      <Link href="/console/keys">← API keys</Link>
    </p>
  );
  if (key.isPending)
    return (
      <>
        {crumb}
        <h1>API key</h1>
        <Loading what="the key" />
      </>
    );
  if (key.isError)
    return (
      <>
        {crumb}
        <h1>API key</h1>
        <LoadError error={key.error} retry={() => key.refetch()} />
      </>
    );

  const data = key.data;
  const editable = isAdmin && !data.revokedAt;

  return (
    <>
      {crumb}
      <header className={styles.pageHeader}>
        <div>
          <h1>{data.name}</h1>
          <p className={`${styles.lead} ${styles.badges}`}>
            <ModeBadge live={data.mode === "live"} />
            {data.revokedAt ? <Badge tone="red">Revoked</Badge> : <Badge tone="green">Active</Badge>}
          </p>
        </div>
      </header>

      <section className={styles.panel} aria-labelledby="key-facts-title">
        <h2 id="key-facts-title">Details</h2>
        <dl className={styles.facts}>
          <dt>Prefix</dt>
          <dd className={styles.mono}>{data.prefix}</dd>
          <dt>Key id</dt>
          <dd className={styles.mono}>{data.id}</dd>
          <dt>Mode</dt>
          <dd>{data.mode === "live" ? "Live: real TikTok and Instagram" : "Test: the built-in sandbox"}</dd>
          <dt>Scopes</dt>
          <dd className={styles.badges}>
            {data.scopes.map((scope) => (
              <Badge key={scope}>{scope}</Badge>
            ))}
          </dd>
          <dt>Created</dt>
          <dd>
            <Time iso={data.createdAt} />
          </dd>
          <dt>Last used</dt>
          <dd>{data.lastUsedAt ? <Time iso={data.lastUsedAt} /> : <None label="never" />}</dd>
          {data.revokedAt ? (
            <>
              <dt>Revoked</dt>
              <dd>
                <Time iso={data.revokedAt} />
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <Allowlist data={data} editable={editable} />
      <Budgets data={data} editable={editable} />
      {editable ? <Revoke data={data} /> : null}
    </>
  );
}

function Allowlist({ data, editable }: { data: KeyDetailData; editable: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateKey(data.id);
  const [url, setUrl] = useState("");
  // "… is already on this key's allowlist.": an add that changed nothing says so.
  const [already, setAlready] = useState<string | null>(null);
  const add = useMutation(
    trpc.allowlist.add.mutationOptions({
      onSuccess: async (result) => {
        setUrl("");
        setAlready(result.message);
        await invalidate();
      },
    }),
  );
  const remove = useMutation(trpc.allowlist.remove.mutationOptions({ onSuccess: () => invalidate() }));

  return (
    <section className={styles.panel} aria-labelledby="allowlist-title">
      <h2 id="allowlist-title">Allowlist</h2>
      <p className={styles.small}>
        An oauth-url request is refused with <code>RETURN_URL_NOT_ALLOWED</code> unless its <code>returnUrl</code> is on this
        list.
      </p>
      {data.allowlist.length === 0 ? (
        <p className={styles.muted}>No return URLs yet: every oauth-url request with this key is refused.</p>
      ) : (
        <ul className={styles.urlList}>
          {data.allowlist.map((entry) => (
            <li key={entry}>
              <span className={styles.mono}>{entry}</span>
              {editable ? (
                <ConfirmAction
                  label="Remove"
                  accessibleName={`Remove ${entry}`}
                  title="Remove this URL from the allowlist?"
                  confirmLabel="Yes, remove"
                  onConfirm={() => remove.mutateAsync({ keyId: data.id, url: entry })}
                  compact
                >
                  <p>
                    <span className={styles.mono}>{entry}</span> will no longer be accepted as a returnUrl for this key.
                    Connections already under way are not affected.
                  </p>
                </ConfirmAction>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {editable ? (
        <form
          className={styles.form}
          onSubmit={(event) => {
            event.preventDefault();
            setAlready(null);
            add.mutate({ keyId: data.id, url: url.trim() });
          }}
        >
          <div className={styles.field}>
            <label htmlFor="allowlist-url">Return URL</label>
            <div className={styles.inlineForm}>
              <input
                id="allowlist-url"
                className={`${styles.input} ${styles.mono}`}
                type="text"
                inputMode="url"
                value={url}
                onChange={(event) => setUrl(event.target.value)}
                placeholder="https://app.example.com/connected"
                required
                autoComplete="off"
                spellCheck={false}
                aria-describedby="allowlist-url-hint"
                aria-invalid={add.isError ? true : undefined}
              />
              <button type="submit" className={styles.button} disabled={add.isPending}>
                Add URL
              </button>
            </div>
            <p id="allowlist-url-hint" className={styles.hint}>
              https, or http for localhost and 127.0.0.1 only; no query string or fragment.
            </p>
          </div>
          <ErrorAlert error={add.error} />
          <p role="status" className={already ? local.warning : styles.alertSlot}>
            {already ?? ""}
          </p>
        </form>
      ) : null}
    </section>
  );
}

function Budgets({ data, editable }: { data: KeyDetailData; editable: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateKey(data.id);
  const [limits, setLimits] = useState({ write: data.writeLimit ?? "", read: data.readLimit ?? "" });
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.apiKeys.updateBudgets.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await invalidate();
      },
    }),
  );

  return (
    <section className={styles.panel} aria-labelledby="budgets-title">
      <h2 id="budgets-title">Budgets</h2>
      {editable ? (
        <form
          className={styles.form}
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(false);
            update.mutate({ id: data.id, writeLimit: limits.write.trim() || null, readLimit: limits.read.trim() || null });
          }}
        >
          <BudgetFields values={limits} defaults={{ write: data.defaultWriteLimit, read: data.defaultReadLimit }} onChange={setLimits} />
          <ErrorAlert error={update.error} />
          <p role="status" className={saved ? styles.notice : styles.alertSlot}>
            {saved ? "Budgets saved." : ""}
          </p>
          <div>
            <button type="submit" className={styles.button} disabled={update.isPending}>
              Save budgets
            </button>
          </div>
        </form>
      ) : (
        <dl className={styles.facts}>
          <dt>Write limit</dt>
          <dd>
            <Budget value={data.writeLimit} fallback={data.defaultWriteLimit} />
          </dd>
          <dt>Read limit</dt>
          <dd>
            <Budget value={data.readLimit} fallback={data.defaultReadLimit} />
          </dd>
        </dl>
      )}
    </section>
  );
}

function Revoke({ data }: { data: KeyDetailData }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateKey(data.id);
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => invalidate() }));
  return (
    <section className={styles.panel} aria-labelledby="revoke-title">
      <h2 id="revoke-title">Revoke</h2>
      <p className={styles.small}>
        Requests with a revoked key are refused at once. This cannot be undone.
      </p>
      <ConfirmAction
        label="Revoke key"
        title={`Revoke “${data.name}”?`}
        confirmLabel="Yes, revoke"
        onConfirm={() => revoke.mutateAsync({ id: data.id })}
      >
        <p>
          Every request that sends <span className={styles.mono}>{data.prefix}</span> will fail from now on. This cannot be
          undone.
        </p>
      </ConfirmAction>
    </section>
  );
}
