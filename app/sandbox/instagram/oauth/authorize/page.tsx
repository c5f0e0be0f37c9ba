import type { Metadata } from "next";
import { SandboxConsent } from "@/app/sandbox/SandboxConsent";

export const metadata: Metadata = { title: "Sandbox · Instagram authorization", robots: { index: false, follow: false } };

// GET /sandbox/instagram/oauth/authorize – the sandbox's stand-in for Instagram's consent page
export default async function InstagramSandboxAuthorize({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <SandboxConsent platform="instagram" searchParams={await searchParams} />;
}
