"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { SecretReveal } from "../../_ui/SecretReveal";
import { useTRPC } from "../../trpc";
import { oauthUrlCurl, PROJECT_ID_PLACEHOLDER, RETURN_URL_PLACEHOLDER } from "@/server/keys/firstCall";
import local from "./keys.module.css";

export type NewKey = { id: string; key: string; prefix: string; name: string; mode: "live" | "test"; allowlist: string[] };

/** The only place the full key is ever rendered. */
export function NewKeyPanel({ newKey, onDone }: { newKey: NewKey; onDone: () => void }) {
  return (
    <SecretReveal
      id="new-key"
      title={`API key “${newKey.name}” created`}
      label="New API key"
      noun="key"
      secret={newKey.key}
      onDone={onDone}
      after={<FirstCall newKey={newKey} />}
    >
      <p>
        <strong>Copy this key now. It will not be shown again:</strong> Layers stores only a hash of it. If you lose it,
        revoke it and create another.
      </p>
    </SecretReveal>
  );
}

/**
 * What to do with the key next: the organization's project ids (a key works
 * for every project of its organization) and a curl that creates an
 * authorize URL with it, against this instance's public URL.
 */
function FirstCall({ newKey }: { newKey: NewKey }) {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const instance = useQuery(trpc.apiKeys.instance.queryOptions());
  const active = (projects.data ?? []).filter((project) => !project.archivedAt);
  const returnUrl = newKey.allowlist[0] ?? null;
  const platforms = instance.data?.platforms;
  // A live key's call goes to a platform this instance has an app for, when only Instagram has one.
  const platform = newKey.mode === "live" && platforms && !platforms.tiktok && platforms.instagram ? "instagram" : "tiktok";
  const curl = oauthUrlCurl({
    publicUrl: instance.data?.publicUrl ?? window.location.origin,
    projectId: active[0]?.id ?? null,
    key: newKey.key,
    returnUrl,
    platform,
    usageNote: "First connection",
  });

  return (
    <div className={local.firstCall}>
      <h3>Make a first call</h3>
      {projects.isPending ? null : active.length === 0 ? (
        <p>
          Your organization has no project yet: <Link href="/console/projects">create one</Link>, then put its id in place of{" "}
          <code>{PROJECT_ID_PLACEHOLDER}</code>.
        </p>
      ) : (
        <>
          <p>
            {active.length === 1 ? "Your organization's project; its id goes in the path:" : "Your organization's projects; the key works for each, and the id goes in the path:"}
          </p>
          <ul className={local.projectIds} aria-label="Project ids">
            {active.map((project) => (
              <li key={project.id}>
                {project.name}: <code>{project.id}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {returnUrl ? null : (
        <p>
          This key has no return URL yet: once you have copied the key, add one on{" "}
          <Link href={`/console/keys/${encodeURIComponent(newKey.id)}`}>the key&apos;s page</Link>, then put it in place of{" "}
          <code>{RETURN_URL_PLACEHOLDER}</code>.
        </p>
      )}
      <label htmlFor="new-key-curl" className={local.curlLabel}>
        Create an authorize URL with this key (curl)
      </label>
      <textarea
        id="new-key-curl"
        className={local.curl}
        value={curl}
        readOnly
        rows={4}
        wrap="off"
        spellCheck={false}
        autoComplete="off"
        onFocus={(event) => event.currentTarget.select()}
      />
    </div>
  );
}
