"use client";

import { useActionState } from "react";
import { signInAction } from "@/server/auth/actions";
import styles from "../console.module.css";
import { ErrorAlert } from "../_ui/Alert";

type State = { error?: string; email?: string } | undefined;

export function SignInForm({ callbackUrl }: { callbackUrl?: string }) {
  // Keep the typed email across a failed attempt: React resets the form after every action.
  const [state, formAction, pending] = useActionState<State, FormData>(async (prev, form) => {
    const result = await signInAction(prev, form);
    return { ...result, email: String(form.get("email") ?? "") };
  }, undefined);

  return (
    <form action={formAction} className={styles.form}>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <div className={styles.field}>
        <label htmlFor="signin-email">Email</label>
        <input
          id="signin-email"
          className={styles.input}
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state?.email}
          aria-invalid={state?.error ? true : undefined}
        />
      </div>
      <div className={styles.field}>
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          className={styles.input}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={state?.error ? true : undefined}
        />
      </div>
      <ErrorAlert error={state?.error} />
      <button type="submit" className={styles.button} disabled={pending}>
        Sign in
      </button>
    </form>
  );
}
