"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import styles from "../../console.module.css";
import { ErrorAlert, LoadError, Loading } from "../../_ui/Alert";
import { Badge } from "../../_ui/Badge";
import { ConfirmAction } from "../../_ui/ConfirmAction";
import { None } from "../../_ui/None";
import { errorIssues } from "../../_ui/errors";
import { roleLabel } from "../../_ui/format";
import { Time } from "../../_ui/Time";
import { type Role, useTRPC, useViewer } from "../../trpc";

export function Members() {
  const trpc = useTRPC();
  const { isAdmin, role, userId } = useViewer();
  const members = useQuery(trpc.members.list.queryOptions());
  const isOwner = role === "owner";

  return (
    <>
      {isAdmin ? <AddMember /> : null}
      <section className={styles.section} aria-labelledby="members-title">
        <h2 id="members-title" className={styles.sectionTitle}>
          Everyone in your organization
        </h2>
        {members.isPending ? (
          <Loading what="members" />
        ) : members.isError ? (
          <LoadError error={members.error} retry={() => members.refetch()} />
        ) : (
          <div className={styles.tableWrap}>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  {isOwner ? (
                    <th scope="col">
                      <span className={styles.visuallyHidden}>Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {members.data.map((member) => (
                  <tr key={member.id}>
                    <th scope="row">
                      {member.email}
                      {member.id === userId ? <span className={styles.muted}> (you)</span> : null}
                    </th>
                    <td>{member.name ?? <None />}</td>
                    <td>
                      {isOwner ? <RoleSelect member={member} /> : <Badge tone={member.role === "member" ? "neutral" : "blue"}>{roleLabel(member.role)}</Badge>}
                      {member.disabledAt ? (
                        <>
                          {" "}
                          <Badge tone="neutral">Disabled</Badge>
                        </>
                      ) : null}
                    </td>
                    <td className={styles.nowrap}>
                      <Time iso={member.createdAt} />
                    </td>
                    {isOwner ? <td>{member.id === userId ? null : <RemoveMember member={member} />}</td> : null}
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

type Member = { id: string; email: string; role: Role; disabledAt: string | null };

function useInvalidateMembers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
}

/** Owners change roles in place; the server refuses leaving the organization without an owner, and the alert says so. */
function RoleSelect({ member }: { member: Member }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateMembers();
  const setRole = useMutation(trpc.members.setRole.mutationOptions({ onSettled: () => invalidate() }));
  const id = `role-${member.id}`;
  return (
    <>
      <label htmlFor={id} className={styles.visuallyHidden}>
        Role of {member.email}
      </label>
      <select
        id={id}
        className={styles.select}
        value={member.role}
        disabled={setRole.isPending}
        onChange={(event) => setRole.mutate({ userId: member.id, role: event.target.value as Role })}
      >
        <option value="member">Member</option>
        <option value="admin">Admin</option>
        <option value="owner">Owner</option>
      </select>
      <ErrorAlert error={setRole.error} />
    </>
  );
}

function RemoveMember({ member }: { member: Member }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateMembers();
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: () => invalidate() }));
  return (
    <ConfirmAction
      label="Remove"
      accessibleName={`Remove ${member.email}`}
      title={`Remove ${member.email}?`}
      confirmLabel="Yes, remove"
      compact
      onConfirm={() => remove.mutateAsync({ userId: member.id })}
    >
      <p>They are signed out everywhere at once and can no longer sign in to this organization.</p>
    </ConfirmAction>
  );
}

function AddMember() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { role: myRole } = useViewer();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [password, setPassword] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async (_result, input) => {
        setAdded(input.email);
        setEmail("");
        setRole("member");
        setPassword("");
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
      },
    }),
  );
  const issues = errorIssues(add.error);
  const fieldError = (field: string) => issues.find((issue) => issue.path === field)?.message;

  return (
    <section className={styles.panel} aria-labelledby="add-member-title">
      <h2 id="add-member-title">Add member</h2>
      <form
        className={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          setAdded(null);
          add.mutate({ email: email.trim(), role, password });
        }}
      >
        <div className={styles.formRow}>
          <div className={styles.field}>
            <label htmlFor="member-email">Email</label>
            <input
              id="member-email"
              className={styles.input}
              type="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              required
              autoComplete="off"
              aria-invalid={fieldError("email") ? true : undefined}
            />
          </div>
          <div className={styles.field}>
            <label htmlFor="member-role">Role</label>
            <select id="member-role" className={styles.select} value={role} onChange={(event) => setRole(event.target.value as Role)}>
              <option value="member">Member</option>
              <option value="admin">Admin</option>
              {myRole === "owner" ? <option value="owner">Owner</option> : null}
            </select>
          </div>
        </div>
        <div className={styles.field}>
          <label htmlFor="member-password">Initial password</label>
          <input
            id="member-password"
            className={styles.input}
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            minLength={12}
            autoComplete="new-password"
            aria-describedby="member-password-hint"
            aria-invalid={fieldError("password") ? true : undefined}
          />
          <p id="member-password-hint" className={styles.hint}>
            At least 12 characters. Share it with them privately.
          </p>
        </div>
        <ErrorAlert error={add.error} />
        <p role="status" className={added ? styles.notice : styles.alertSlot}>
          {added ? `${added} can now sign in.` : ""}
        </p>
        <div>
          <button type="submit" className={styles.button} disabled={add.isPending}>
            Add member
          </button>
        </div>
      </form>
    </section>
  );
}
