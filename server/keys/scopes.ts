import type { ApiScope } from "@/server/contract/vocabulary";

export { API_SCOPES, type ApiScope, isApiScope } from "@/server/contract/vocabulary";

/** True when the key holds at least one of `anyOf`. */
export function hasAnyScope(keyScopes: readonly string[], anyOf: readonly ApiScope[]): boolean {
  return anyOf.some((scope) => keyScopes.includes(scope));
}
