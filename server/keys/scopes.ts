export const API_SCOPES = ["social:write", "social:read"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const isApiScope = (value: string): value is ApiScope => (API_SCOPES as readonly string[]).includes(value);

/** True when the key holds at least one of `anyOf`. */
export function hasAnyScope(keyScopes: readonly string[], anyOf: readonly ApiScope[]): boolean {
  return anyOf.some((scope) => keyScopes.includes(scope));
}
