"use server";

import { unstable_rethrow } from "next/navigation";
import { actionCaller, formStateFrom } from "../trpc/action";
import type { FormState } from "../trpc/routers/auth";

// The console's form actions: each is one tRPC procedure (server/trpc/routers/auth.ts)
// called through the action caller, so origin, session, error translation and the
// sign-in throttle apply as they do to every other procedure.

const text = (form: FormData, key: string) => {
  const value = form.get(key);
  return typeof value === "string" ? value : "";
};

export async function signInAction(_prev: FormState | undefined, form: FormData): Promise<FormState> {
  try {
    return await (await actionCaller()).auth.signIn({ email: text(form, "email"), password: text(form, "password"), callbackUrl: text(form, "callbackUrl") || undefined });
  } catch (error) {
    return formStateFrom(error);
  }
}

export async function setupAction(_prev: FormState | undefined, form: FormData): Promise<FormState> {
  try {
    return await (await actionCaller()).auth.setup({ setupCode: text(form, "setupCode"), orgName: text(form, "orgName"), name: text(form, "name"), email: text(form, "email"), password: text(form, "password") });
  } catch (error) {
    return formStateFrom(error);
  }
}

/** Signs out everywhere; a refusal (a cross-site post) is an error page, not a form message. */
export async function signOutAction(): Promise<void> {
  try {
    await (await actionCaller()).auth.signOut();
  } catch (error) {
    unstable_rethrow(error); // the redirect to the sign-in page
    throw error;
  }
}
