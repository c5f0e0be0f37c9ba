"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { WebhookEventType } from "@/server/contract/vocabulary";
import styles from "../../console.module.css";
import { ErrorAlert } from "../../_ui/Alert";
import { CreatePanel } from "../../_ui/CreatePanel";
import { errorIssues } from "../../_ui/errors";
import { useConsoleMode, useTRPC } from "../../trpc";
import { CHOOSABLE_EVENTS, EVENT_HINT } from "./labels";
import type { RevealedSecret } from "./WebhookSecretPanel";
import local from "./webhooks.module.css";

/** The server's issues by field ("events.0" counts as "events"), to show each under its own input. */
function fieldErrors(error: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of errorIssues(error)) fields[issue.path.split(".")[0] ?? ""] ??= issue.message;
  return fields;
}

export function CreateEndpointForm({ onCreated }: { onCreated: (revealed: RevealedSecret) => void }) {
  const trpc = useTRPC();
  const mode = useConsoleMode();
  const queryClient = useQueryClient();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const active = (projects.data ?? []).filter((project) => !project.archivedAt);
  const [chosenProject, setProject] = useState("");
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEventType[]>([...CHOOSABLE_EVENTS]);
  const [description, setDescription] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const projectId = chosenProject || active[0]?.id || "";

  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      // Forget the mutation (and the secret in its result) as soon as nothing observes it.
      gcTime: 0,
      onSuccess: (created) => {
        onCreated({ secret: created.secret, url: created.url, rotated: false });
        setUrl("");
        setEvents([...CHOOSABLE_EVENTS]);
        setDescription("");
        create.reset();
        return queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.pathKey() });
      },
    }),
  );
  const fields = fieldErrors(create.error);
  const invalid = (name: string) => (fields[name] ? true : undefined);

  if (projects.isSuccess && active.length === 0) {
    return (
      <CreatePanel id="create-endpoint" title="Create webhook endpoint">
        <p className={styles.muted}>
          An endpoint receives one project&apos;s events. <Link href="/console/projects">Create a project</Link> first.
        </p>
      </CreatePanel>
    );
  }

  return (
    <CreatePanel id="create-endpoint" title="Create webhook endpoint">
      <form
        className={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          setFormError(null);
          if (events.length === 0) {
            setFormError("Choose at least one event type.");
            return;
          }
          create.mutate({
            mode,
            projectId,
            url: url.trim(),
            // Every type chosen: none named, so the endpoint also takes types added later.
            events: events.length === CHOOSABLE_EVENTS.length ? undefined : CHOOSABLE_EVENTS.filter((type) => events.includes(type)),
            description: description.trim() || undefined,
          });
        }}
      >
        <p className={styles.hint}>
          It receives {mode}-mode events only; switch the console to {mode === "live" ? "test" : "live"} mode to create one for{" "}
          {mode === "live" ? "sandbox" : "live"} connections.
        </p>
        <div className={styles.field}>
          <label htmlFor="endpoint-project">Project</label>
          <select id="endpoint-project" className={styles.select} value={projectId} onChange={(event) => setProject(event.target.value)} required>
            {active.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
              </option>
            ))}
          </select>
        </div>

        <div className={styles.field}>
          <label htmlFor="endpoint-url">URL</label>
          <input
            id="endpoint-url"
            className={`${styles.input} ${styles.mono}`}
            type="text"
            inputMode="url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            placeholder="https://api.example.com/webhooks/layers"
            required
            maxLength={2048}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="endpoint-url-hint endpoint-url-error"
            aria-invalid={invalid("url")}
          />
          <p id="endpoint-url-hint" className={styles.hint}>
            https; its host must resolve to a public address. Redirects are not followed.
          </p>
          <p id="endpoint-url-error" className={`${styles.fieldError} ${local.fieldError}`}>
            {fields.url ?? ""}
          </p>
        </div>

        <fieldset className={styles.fieldset} aria-describedby="endpoint-events-error">
          <legend className={styles.legend}>Events</legend>
          <div className={local.eventChoices}>
            {CHOOSABLE_EVENTS.map((type) => {
              const id = `event-${type.replace(/\W/g, "-")}`;
              return (
                <span key={type} className={styles.choice}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={events.includes(type)}
                    onChange={(event) => setEvents((current) => (event.target.checked ? [...current, type] : current.filter((t) => t !== type)))}
                    aria-describedby={`${id}-hint`}
                  />
                  <label htmlFor={id} className={styles.mono}>
                    {type}
                  </label>
                  <span id={`${id}-hint`} className={styles.hint}>
                    ({EVENT_HINT[type]})
                  </span>
                </span>
              );
            })}
          </div>
          <p className={styles.hint}>With all chosen, it also receives event types added later. Test events reach it whatever it takes.</p>
          <p id="endpoint-events-error" className={`${styles.fieldError} ${local.fieldError}`}>
            {fields.events ?? ""}
          </p>
        </fieldset>

        <div className={styles.field}>
          <label htmlFor="endpoint-description">Description (optional)</label>
          <input
            id="endpoint-description"
            className={styles.input}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            maxLength={200}
            autoComplete="off"
            aria-describedby="endpoint-description-error"
            aria-invalid={invalid("description")}
          />
          <p id="endpoint-description-error" className={`${styles.fieldError} ${local.fieldError}`}>
            {fields.description ?? ""}
          </p>
        </div>

        <ErrorAlert error={formError ?? (Object.keys(fields).length > 0 ? "Check the highlighted fields." : create.error)} />
        <div>
          <button type="submit" className={styles.button} disabled={create.isPending || !projectId}>
            Create endpoint
          </button>
        </div>
      </form>
    </CreatePanel>
  );
}
