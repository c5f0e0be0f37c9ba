import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { hasAnyUser } from "@/server/auth/session";
import { AuthCard } from "../_ui/AuthCard";
import { SetupForm } from "./SetupForm";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up · Layers Connect" };

/** One-time setup: exists only until the first user does. */
export default async function SetupPage() {
  if (await hasAnyUser()) redirect("/console/sign-in");
  return (
    <AuthCard
      title="Set up Layers Connect"
      lead="Create your organization and its first owner with the setup code the server printed. This page is available only until the first user exists."
    >
      <SetupForm />
    </AuthCard>
  );
}
