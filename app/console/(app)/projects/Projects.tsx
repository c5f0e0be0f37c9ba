"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import styles from "../../console.module.css";
import { ErrorAlert, LoadError, Loading } from "../../_ui/Alert";
import { Badge } from "../../_ui/Badge";
import { ConfirmAction } from "../../_ui/ConfirmAction";
import { CreatePanel } from "../../_ui/CreatePanel";
import { Time } from "../../_ui/Time";
import { type RouterOutputs, useTRPC, useViewer } from "../../trpc";

type Project = RouterOutputs["projects"]["list"][number];

function useInvalidateProjects() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.overview.get.queryKey() }),
    ]);
}

export function Projects() {
  const trpc = useTRPC();
  const { isAdmin } = useViewer();
  const projects = useQuery(trpc.projects.list.queryOptions());

  return (
    <>
      {isAdmin ? <CreateProject /> : null}
      <section className={styles.section} aria-labelledby="projects-title">
        <h2 id="projects-title" className={styles.sectionTitle}>
          All projects
        </h2>
        {projects.isPending ? (
          <Loading what="projects" />
        ) : projects.isError ? (
          <LoadError error={projects.error} retry={() => projects.refetch()} />
        ) : projects.data.length === 0 ? (
          <div className={styles.empty}>
            <p>
              No projects yet.{" "}
              {isAdmin ? "Create one above, then create an API key for it." : "An owner or admin can create one."}
            </p>
          </div>
        ) : (
          <ProjectTable projects={projects.data} isAdmin={isAdmin} />
        )}
      </section>
    </>
  );
}

function CreateProject() {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async () => {
        setCreated(name.trim());
        setName("");
        await invalidate();
      },
    }),
  );

  return (
    <CreatePanel id="create-project" title="Create project">
      <form
        className={styles.inlineForm}
        onSubmit={(event) => {
          event.preventDefault();
          setCreated(null);
          create.mutate({ name: name.trim() });
        }}
      >
        <label htmlFor="project-name" className={styles.visuallyHidden}>
          Project name
        </label>
        <input
          id="project-name"
          className={styles.input}
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="Project name"
          required
          maxLength={100}
          autoComplete="off"
        />
        <button type="submit" className={styles.button} disabled={create.isPending}>
          Create project
        </button>
      </form>
      <div className={styles.stack}>
        <ErrorAlert error={create.error} />
        <p role="status" className={created ? styles.notice : styles.alertSlot}>
          {created ? `Project “${created}” created.` : ""}
        </p>
      </div>
    </CreatePanel>
  );
}

function ProjectTable({ projects, isAdmin }: { projects: Project[]; isAdmin: boolean }) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Project id</th>
            <th scope="col" className={styles.num}>
              Accounts
            </th>
            <th scope="col">Created</th>
            <th scope="col">Status</th>
            {isAdmin ? (
              <th scope="col">
                <span className={styles.visuallyHidden}>Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {projects.map((project) => (
            <ProjectRow key={project.id} project={project} isAdmin={isAdmin} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProjectRow({ project, isAdmin }: { project: Project; isAdmin: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const [renaming, setRenaming] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    // Back from the inline form: put focus where it was, on this row's Rename button.
    if (!renaming && returnFocus.current) {
      returnFocus.current = false;
      renameButton.current?.focus();
    }
  }, [renaming]);
  const archive = useMutation(trpc.projects.archive.mutationOptions({ onSuccess: () => invalidate() }));
  const archived = project.archivedAt !== null;

  return (
    <tr className={archived ? styles.revokedRow : undefined}>
      <th scope="row">
        {renaming ? (
          <RenameForm
            project={project}
            onDone={() => {
              returnFocus.current = true;
              setRenaming(false);
            }}
          />
        ) : (
          project.name
        )}
      </th>
      <td className={`${styles.mono} ${styles.wrapAnywhere}`}>{project.id}</td>
      <td className={styles.num}>{project.accountCount}</td>
      <td className={styles.nowrap}>
        <Time iso={project.createdAt} />
      </td>
      <td>{archived ? <Badge>Archived</Badge> : <Badge tone="green">Active</Badge>}</td>
      {isAdmin ? (
        <td>
          {archived || renaming ? null : (
            <div className={styles.rowActions}>
              <button
                ref={renameButton}
                type="button"
                className={`${styles.buttonSecondary} ${styles.compact}`}
                aria-label={`Rename ${project.name}`}
                onClick={() => setRenaming(true)}
              >
                Rename
              </button>
              <ConfirmAction
                label="Archive"
                accessibleName={`Archive ${project.name}`}
                title={`Archive “${project.name}”?`}
                confirmLabel="Yes, archive"
                onConfirm={() => archive.mutateAsync({ id: project.id })}
                compact
              >
                <p>
                  The project and its {project.accountCount === 1 ? "1 connected account" : `${project.accountCount} connected accounts`}{" "}
                  are kept, but the project is marked archived. The console cannot unarchive it.
                </p>
              </ConfirmAction>
            </div>
          )}
        </td>
      ) : null}
    </tr>
  );
}

function RenameForm({ project, onDone }: { project: Project; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const [name, setName] = useState(project.name);
  const inputRef = useRef<HTMLInputElement>(null);
  const rename = useMutation(
    trpc.projects.rename.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone();
      },
    }),
  );

  useEffect(() => {
    inputRef.current?.select();
  }, []);

  return (
    <form
      className={styles.inlineForm}
      onSubmit={(event) => {
        event.preventDefault();
        rename.mutate({ id: project.id, name: name.trim() });
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") onDone();
      }}
    >
      <label htmlFor={`rename-${project.id}`} className={styles.visuallyHidden}>
        New name
      </label>
      <input
        ref={inputRef}
        id={`rename-${project.id}`}
        className={styles.input}
        value={name}
        onChange={(event) => setName(event.target.value)}
        required
        maxLength={100}
        autoComplete="off"
      />
      <button type="submit" className={`${styles.button} ${styles.compact}`} disabled={rename.isPending}>
        Save
      </button>
      <button type="button" className={`${styles.buttonGhost} ${styles.compact}`} onClick={onDone}>
        Cancel
      </button>
      <ErrorAlert error={rename.error} />
    </form>
  );
}
