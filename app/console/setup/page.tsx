import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { hasAnyUser } from "@/server/auth/session";
import { setupTarget } from "@/server/orgs/setup";
import { getServices } from "@/server/services";
import { AuthCard } from "../_ui/AuthCard";
import { SetupForm } from "./SetupForm";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up · Layers Connect" };

/** One-time setup: exists only until the first user does. */
export default async function SetupPage() {
  if (await hasAnyUser()) redirect("/console/sign-in");
  const target = await setupTarget((await getServices()).database);
  const lead =
    target.kind === "join"
      ? `This instance already has an organization, ${target.name} (${target.orgId}), with no members yet: you become its owner, and see its projects, keys, attempts and accounts. Use the setup code the server printed. This page is available only until the first user exists.`
      : "Create your organization and its first owner with the setup code the server printed. This page is available only until the first user exists.";
  return (
    <AuthCard title="Set up Layers Connect" lead={lead}>
      <SetupForm joining={target.kind === "join" ? { orgId: target.orgId, name: target.name } : undefined} />
    </AuthCard>
  );
}
