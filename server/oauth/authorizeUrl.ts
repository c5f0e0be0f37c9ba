import type { Platform } from "@/db/schema";

export interface AuthorizeParams {
  platform: Platform;
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  /** TikTok only (PKCE S256). */
  codeChallenge?: string;
}

/**
 * The platform's own authorize URL (CONTRACT.md §3, PLATFORMS.md). TikTok
 * names the client `client_key` and uses PKCE; Instagram uses `client_id`.
 * Scopes are comma-separated on both.
 */
export function buildAuthorizeUrl(p: AuthorizeParams): string {
  const url = new URL(p.authorizeUrl);
  const q = url.searchParams;
  q.set(p.platform === "tiktok" ? "client_key" : "client_id", p.clientId);
  q.set("response_type", "code");
  q.set("scope", p.scopes.join(","));
  q.set("redirect_uri", p.redirectUri);
  q.set("state", p.state);
  if (p.platform === "tiktok") {
    if (!p.codeChallenge) throw new Error("TikTok authorize URLs need a PKCE code challenge");
    q.set("code_challenge", p.codeChallenge);
    q.set("code_challenge_method", "S256");
  }
  return url.toString();
}
