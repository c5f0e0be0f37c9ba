"use client";

import { useActionState } from "react";
import { setupAction } from "@/server/auth/actions";
import styles from "../console.module.css";
import { ErrorAlert } from "../_ui/Alert";

type Values = { setupCode: string; orgName: string; name: string; email: string };
type State = { error?: string; fields?: Record<string, string>; values?: Values } | undefined;

const FIELDS = [
  {
    name: "setupCode",
    label: "Setup code",
    type: "text",
    autoComplete: "one-time-code",
    hint: "Printed by npm start in the server's output (Setup code: XXXX-XXXX-XXXX-XXXX) while no user exists.",
  },
  { name: "orgName", label: "Organization name", type: "text", autoComplete: "organization" },
  { name: "name", label: "Your name", type: "text", autoComplete: "name", hint: "Optional." },
  { name: "email", label: "Email", type: "email", autoComplete: "username" },
  { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: "At least 12 characters." },
] as const;

/** `joining`: the organization setup makes the owner of (setupTarget); its name is the field's default, and may be changed. */
export function SetupForm({ joining }: { joining?: { orgId: string; name: string } }) {
  const [state, formAction, pending] = useActionState<State, FormData>(async (prev, form) => {
    const result = await setupAction(prev, form);
    const text = (key: string) => String(form.get(key) ?? "");
    return { ...result, values: { setupCode: text("setupCode"), orgName: text("orgName"), name: text("name"), email: text("email") } };
  }, undefined);

  return (
    <form action={formAction} className={styles.form}>
      {FIELDS.map((field) => {
        const id = `setup-${field.name}`;
        const fieldError = state?.fields?.[field.name];
        const hint = field.name === "orgName" && joining ? `You become the owner of ${joining.orgId}; change its name here if you like.` : "hint" in field ? field.hint : undefined;
        const describedBy = [hint ? `${id}-hint` : null, fieldError ? `${id}-error` : null].filter(Boolean).join(" ");
        return (
          <div className={styles.field} key={field.name}>
            <label htmlFor={id}>{field.label}</label>
            <input
              id={id}
              className={styles.input}
              name={field.name}
              type={field.type}
              autoComplete={field.autoComplete}
              required={field.name !== "name"}
              minLength={field.name === "password" ? 12 : undefined}
              spellCheck={field.name === "setupCode" ? false : undefined}
              defaultValue={field.name === "password" ? undefined : (state?.values?.[field.name] ?? (field.name === "orgName" ? joining?.name : undefined))}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={describedBy || undefined}
            />
            {hint ? (
              <p id={`${id}-hint`} className={styles.hint}>
                {hint}
              </p>
            ) : null}
            {fieldError ? (
              <p id={`${id}-error`} className={styles.fieldError}>
                {fieldError}
              </p>
            ) : null}
          </div>
        );
      })}
      <ErrorAlert error={state?.error} />
      <button type="submit" className={styles.button} disabled={pending}>
        {joining ? "Become its owner" : "Create organization"}
      </button>
    </form>
  );
}
