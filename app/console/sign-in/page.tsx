import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getConsoleContext, hasAnyUser } from "@/server/auth/session";
import { AuthCard } from "../_ui/AuthCard";
import { SignInForm } from "./SignInForm";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Layers Connect" };

/** Only console paths are worth returning to; anything else would make this page an open redirect. */
function safeCallback(value: string | string[] | undefined): string | undefined {
  const url = Array.isArray(value) ? value[0] : value;
  return url && /^\/console(?:[/?#]|$)/.test(url) && !url.startsWith("//") ? url : undefined;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await hasAnyUser())) redirect("/console/setup");
  if (await getConsoleContext()) redirect("/console");
  const { callbackUrl } = await searchParams;
  return (
    <AuthCard title="Sign in" lead="Sign in to the Layers Connect console.">
      <SignInForm callbackUrl={safeCallback(callbackUrl)} />
    </AuthCard>
  );
}
