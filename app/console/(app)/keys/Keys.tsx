"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { API_SCOPES, type ApiScope } from "@/server/keys/scopes";
import styles from "../../console.module.css";
import { ErrorAlert, LoadError, Loading } from "../../_ui/Alert";
import { Badge, ModeBadge } from "../../_ui/Badge";
import { Budget, BudgetFields } from "../../_ui/BudgetFields";
import { CreatePanel } from "../../_ui/CreatePanel";
import { None } from "../../_ui/None";
import { Time } from "../../_ui/Time";
import { useTRPC, useViewer } from "../../trpc";
import { MODE_HINT, ModeWarnings } from "./ModeWarnings";
import { type NewKey, NewKeyPanel } from "./NewKeyPanel";

type Scope = ApiScope;
const SCOPE_HINT: Record<ApiScope, string> = {
  "social:write": "create authorize URLs, refresh and disconnect accounts",
  "social:read": "read attempts and accounts",
  "webhooks:write": "create, rotate, test and delete webhook endpoints",
  "webhooks:read": "list webhook endpoints",
};
const SCOPES = API_SCOPES.map((value) => ({ value, hint: SCOPE_HINT[value] }));

/** Instance defaults when no key exists yet to tell us the configured ones (CONTRACT.md §2). */
const FALLBACK_DEFAULTS = { write: "60/60s", read: "600/60s" };

export function Keys() {
  const trpc = useTRPC();
  const { isAdmin } = useViewer();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  // The full key lives only here, in memory, until dismissed or the page is left.
  const [newKey, setNewKey] = useState<NewKey | null>(null);
  const defaults = keys.data?.[0]
    ? { write: keys.data[0].defaultWriteLimit, read: keys.data[0].defaultReadLimit }
    : FALLBACK_DEFAULTS;

  return (
    <>
      {newKey ? <NewKeyPanel newKey={newKey} onDone={() => setNewKey(null)} /> : null}
      {isAdmin ? <CreateKeyForm defaults={defaults} onCreated={setNewKey} /> : null}
      <section className={styles.section} aria-labelledby="keys-title">
        <h2 id="keys-title" className={styles.sectionTitle}>
          All keys
        </h2>
        {keys.isPending ? (
          <Loading what="API keys" />
        ) : keys.isError ? (
          <LoadError error={keys.error} retry={() => keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <div className={styles.empty}>
            <p>
              No API keys yet.{" "}
              {isAdmin ? "Create one above: a test key is enough to try the whole flow." : "An owner or admin can create one."}
            </p>
          </div>
        ) : (
          <div className={styles.tableWrap}>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">Name and prefix</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Budgets</th>
                  <th scope="col" className={styles.num}>
                    Return URLs
                  </th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((key) => (
                  <tr key={key.id} className={key.revokedAt ? styles.revokedRow : undefined}>
                    <th scope="row">
                      <Link href={`/console/keys/${encodeURIComponent(key.id)}`}>{key.name}</Link>
                      <span className={`${styles.mono} ${styles.muted} ${styles.block}`}>{key.prefix}</span>
                    </th>
                    <td>
                      <ModeBadge live={key.mode === "live"} />
                    </td>
                    <td>
                      <span className={styles.badges}>
                        {key.scopes.map((scope) => (
                          <Badge key={scope}>{scope}</Badge>
                        ))}
                      </span>
                    </td>
                    <td className={`${styles.small} ${styles.nowrap}`}>
                      <Budget label="write" value={key.writeLimit} fallback={key.defaultWriteLimit} />
                      <br />
                      <Budget label="read" value={key.readLimit} fallback={key.defaultReadLimit} />
                    </td>
                    <td className={styles.num}>{key.allowlistCount}</td>
                    <td>{key.lastUsedAt ? <Time iso={key.lastUsedAt} /> : <None label="never" />}</td>
                    <td>
                      {key.revokedAt ? (
                        <>
                          <Badge tone="red">Revoked</Badge>
                          <br />
                          <span className={styles.small}>
                            <Time iso={key.revokedAt} />
                          </span>
                        </>
                      ) : (
                        <Badge tone="green">Active</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function CreateKeyForm({ defaults, onCreated }: { defaults: { write: string; read: string }; onCreated: (key: NewKey) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>([...API_SCOPES]);
  const [mode, setMode] = useState<"live" | "test">("test");
  const [limits, setLimits] = useState({ write: "", read: "" });
  const [allow, setAllow] = useState("");
  const [formError, setFormError] = useState<string | null>(null);

  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      // Forget the mutation (and the key in its result) as soon as nothing observes it.
      gcTime: 0,
      onSuccess: (result, input) => {
        onCreated({ id: result.id, key: result.key, prefix: result.prefix, name: input.name, mode: result.mode, allowlist: result.allowlist });
        setName("");
        setScopes([...API_SCOPES]);
        setMode("test");
        setLimits({ write: "", read: "" });
        setAllow("");
        create.reset();
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.overview.get.queryKey() });
      },
    }),
  );

  function toggleScope(scope: Scope, on: boolean) {
    setScopes((current) => (on ? [...current.filter((s) => s !== scope), scope] : current.filter((s) => s !== scope)));
  }

  return (
    <CreatePanel id="create-key" title="Create API key">
      <form
        className={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          setFormError(null);
          if (scopes.length === 0) {
            setFormError("Choose at least one scope.");
            return;
          }
          create.mutate({
            name: name.trim(),
            scopes: SCOPES.map((s) => s.value).filter((s) => scopes.includes(s)),
            mode,
            writeLimit: limits.write.trim() || undefined,
            readLimit: limits.read.trim() || undefined,
            allow: allow
              .split(/\r?\n/)
              .map((line) => line.trim())
              .filter(Boolean),
          });
        }}
      >
        <div className={styles.field}>
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            className={styles.input}
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            maxLength={100}
            autoComplete="off"
            aria-describedby="key-name-hint"
          />
          <p id="key-name-hint" className={styles.hint}>
            Where the key is used, e.g. “Production backend”.
          </p>
        </div>

        <fieldset className={styles.fieldset}>
          <legend className={styles.legend}>Scopes</legend>
          <div className={styles.choices}>
            {SCOPES.map((scope) => {
              const id = `scope-${scope.value.replace(":", "-")}`;
              return (
                <span key={scope.value} className={styles.choice}>
                  <input
                    id={id}
                    type="checkbox"
                    name="scopes"
                    value={scope.value}
                    checked={scopes.includes(scope.value)}
                    onChange={(event) => toggleScope(scope.value, event.target.checked)}
                    aria-describedby={`${id}-hint`}
                  />
                  <label htmlFor={id} className={styles.mono}>
                    {scope.value}
                  </label>
                  <span id={`${id}-hint`} className={styles.hint}>
                    ({scope.hint})
                  </span>
                </span>
              );
            })}
          </div>
        </fieldset>

        <fieldset className={styles.fieldset} aria-describedby="key-mode-hint key-mode-warnings">
          <legend className={styles.legend}>Mode</legend>
          <div className={styles.choices}>
            <label className={styles.choice}>
              <input type="radio" name="mode" value="test" checked={mode === "test"} onChange={() => setMode("test")} />
              Test
            </label>
            <label className={styles.choice}>
              <input type="radio" name="mode" value="live" checked={mode === "live"} onChange={() => setMode("live")} />
              Live
            </label>
          </div>
          <p id="key-mode-hint" className={styles.hint}>
            {MODE_HINT[mode]}
          </p>
          <ModeWarnings mode={mode} />
        </fieldset>

        <BudgetFields values={limits} defaults={defaults} onChange={setLimits} />

        <div className={styles.field}>
          <label htmlFor="key-allow">Allowed return URLs</label>
          <textarea
            id="key-allow"
            className={styles.textarea}
            value={allow}
            onChange={(event) => setAllow(event.target.value)}
            placeholder={"https://app.example.com/connected\nhttp://localhost:3000/connected"}
            aria-describedby="key-allow-hint"
            spellCheck={false}
          />
          <p id="key-allow-hint" className={styles.hint}>
            One per line. The returnUrl of every oauth-url request must be on this list. https, or http for localhost only; no
            query or fragment. You can change the list later.
          </p>
        </div>

        <ErrorAlert error={formError ?? create.error} />
        <div>
          <button type="submit" className={styles.button} disabled={create.isPending}>
            Create API key
          </button>
        </div>
      </form>
    </CreatePanel>
  );
}
