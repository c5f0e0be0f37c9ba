"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { AppError } from "../errors";
import { setupFirstOwner } from "../orgs/setup";
import { getServices } from "../services";
import { auth, signIn, signOut } from "./config";
import { revokeSessions } from "./revocation";

export interface FormState {
  error?: string;
  fields?: Record<string, string>;
}

/** Only console paths: a sign-in form must never become an open redirect. */
function safeCallback(value: FormDataEntryValue | null): string {
  return typeof value === "string" && /^\/console(\/[\w\-./]*)?$/.test(value) && !value.includes("..") ? value : "/console";
}

async function credentialsSignIn(email: string, password: string, redirectTo: string): Promise<FormState> {
  try {
    await signIn("credentials", { email, password, redirectTo });
    return {};
  } catch (error) {
    if (error instanceof CredentialsSignin) {
      return {
        error:
          error.code === "throttled"
            ? "Too many sign-in attempts. Wait 15 minutes, then try again."
            : "The email or password is not right. Check both and try again.",
      };
    }
    if (error instanceof AuthError) return { error: "Sign-in failed. Try again." };
    throw error; // Next's redirect after a successful sign-in
  }
}

export async function signInAction(_prev: FormState | undefined, form: FormData): Promise<FormState> {
  return credentialsSignIn(String(form.get("email") ?? ""), String(form.get("password") ?? ""), safeCallback(form.get("callbackUrl")));
}

export async function setupAction(_prev: FormState | undefined, form: FormData): Promise<FormState> {
  const input = {
    orgName: String(form.get("orgName") ?? ""),
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    password: String(form.get("password") ?? ""),
  };
  try {
    await setupFirstOwner((await getServices()).database.db, input);
  } catch (error) {
    if (error instanceof AppError && error.code === "VALIDATION") {
      const fields = Object.fromEntries((error.extra.issues ?? []).map((i) => [i.path, i.message]));
      return { error: error.extra.issues?.length ? "Check the highlighted fields." : error.message, fields };
    }
    throw error;
  }
  return credentialsSignIn(input.email, input.password, "/console");
}

/** Signs out everywhere: the session cookie is cleared here, and every copy of it stops working. */
export async function signOutAction(): Promise<void> {
  const userId = (await auth())?.user?.id;
  if (userId) await revokeSessions((await getServices()).database.db, userId);
  await signOut({ redirectTo: "/console/sign-in" });
}
