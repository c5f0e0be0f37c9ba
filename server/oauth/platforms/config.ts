import { createHmac } from "node:crypto";
import type { Platform } from "@/db/schema";
import type { PlatformCredentials } from "../../env";
import type { ResolvedConfig } from "../../secrets";

/** Where a platform lives and who we are to it, for one mode. */
export interface PlatformEndpoints {
  platform: Platform;
  credentials: PlatformCredentials | undefined;
  authorizeUrl: string;
  /** TikTok: token, revoke, user info. Instagram: short-lived token. */
  apiBaseUrl: string;
  /** Instagram only: long-lived token, refresh, profile. */
  graphBaseUrl?: string;
}

export const SANDBOX_PATH = "/sandbox";

/** The callback every authorize URL names as `redirect_uri`. */
export const redirectUri = (config: Pick<ResolvedConfig, "publicUrl">, platform: Platform) =>
  `${config.publicUrl}/v1/social/oauth/callback/${platform}`;

/**
 * Sandbox app credentials: fixed client ids, secrets derived from this
 * instance's encryption key so they never need configuring and never leak.
 */
export function sandboxCredentials(config: Pick<ResolvedConfig, "encryptionKey">, platform: Platform): PlatformCredentials {
  return {
    clientId: `sandbox_${platform}`,
    clientSecret: createHmac("sha256", config.encryptionKey).update(`sandbox-client-secret:${platform}`).digest("base64url"),
  };
}

/**
 * Live keys talk to the real platform (hosts from the environment); test keys
 * to this instance's sandbox, which speaks the same protocol on the wire.
 */
export function platformEndpoints(config: ResolvedConfig, platform: Platform, livemode: boolean): PlatformEndpoints {
  if (!livemode) {
    const base = `${config.publicUrl}${SANDBOX_PATH}/${platform}`;
    return platform === "tiktok"
      ? { platform, credentials: sandboxCredentials(config, platform), authorizeUrl: `${base}/v2/auth/authorize/`, apiBaseUrl: base }
      : {
          platform,
          credentials: sandboxCredentials(config, platform),
          authorizeUrl: `${base}/oauth/authorize`,
          apiBaseUrl: `${base}/api`,
          graphBaseUrl: `${base}/graph`,
        };
  }
  return platform === "tiktok"
    ? { platform, credentials: config.tiktok.credentials, authorizeUrl: config.tiktok.authorizeUrl, apiBaseUrl: config.tiktok.apiBaseUrl }
    : {
        platform,
        credentials: config.instagram.credentials,
        authorizeUrl: config.instagram.authorizeUrl,
        apiBaseUrl: config.instagram.apiBaseUrl,
        graphBaseUrl: config.instagram.graphBaseUrl,
      };
}
