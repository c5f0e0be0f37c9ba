import { type Platform, PLATFORM_SCOPES } from "@/server/contract/vocabulary";

/** The scopes to request: the integrator's (or the defaults), basic first, no duplicates. */
export function resolveScopes(platform: Platform, requested: readonly string[] | undefined): string[] {
  const catalog = PLATFORM_SCOPES[platform];
  return [...new Set([catalog.basic, ...(requested ?? catalog.defaults)])];
}

export const unknownScopes = (platform: Platform, requested: readonly string[]) =>
  requested.filter((scope) => !PLATFORM_SCOPES[platform].known.includes(scope));
