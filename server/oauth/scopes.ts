import type { Platform } from "@/db/schema";

interface ScopeCatalog {
  /** Every scope the platform accepts that Layers may request. */
  known: readonly string[];
  /** What Layers requests when the integrator names none (CONTRACT.md §3). */
  defaults: readonly string[];
  /** Always requested; without it there is no account to store. */
  basic: string;
}

export const SCOPES: Record<Platform, ScopeCatalog> = {
  tiktok: {
    known: ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"],
    defaults: ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"],
    basic: "user.info.basic",
  },
  instagram: {
    known: [
      "instagram_business_basic",
      "instagram_business_content_publish",
      "instagram_business_manage_comments",
      "instagram_business_manage_insights",
      "instagram_business_manage_messages",
    ],
    defaults: [
      "instagram_business_basic",
      "instagram_business_content_publish",
      "instagram_business_manage_comments",
      "instagram_business_manage_insights",
    ],
    basic: "instagram_business_basic",
  },
};

/** The scopes to request: the integrator's (or the defaults), basic first, no duplicates. */
export function resolveScopes(platform: Platform, requested: readonly string[] | undefined): string[] {
  const catalog = SCOPES[platform];
  return [...new Set([catalog.basic, ...(requested ?? catalog.defaults)])];
}

export const unknownScopes = (platform: Platform, requested: readonly string[]) =>
  requested.filter((scope) => !SCOPES[platform].known.includes(scope));
