import type { Metadata } from "next";
import { SandboxConsent } from "@/app/sandbox/SandboxConsent";

export const metadata: Metadata = { title: "Sandbox · TikTok authorization", robots: { index: false, follow: false } };

// GET /sandbox/tiktok/v2/auth/authorize/ – the sandbox's stand-in for TikTok's consent page
export default async function TikTokSandboxAuthorize({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <SandboxConsent platform="tiktok" searchParams={await searchParams} />;
}
