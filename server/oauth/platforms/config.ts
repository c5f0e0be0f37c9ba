import type { Platform } from "@/db/schema";
import { deriveKey, KEY_PURPOSES } from "../../crypto/keys";
import type { PlatformCredentials } from "../../env";
import type { ResolvedConfig } from "../../secrets";
import { PLATFORM_NAMES } from "@/server/contract/vocabulary";

/** Where a platform lives and who we are to it, for one mode. */
export interface PlatformEndpoints {
  platform: Platform;
  credentials: PlatformCredentials | undefined;
  /**
   * Set exactly when `credentials` is missing: what the integrator is told
   * in the 503 PLATFORM_NOT_CONFIGURED, since only this module knows why.
   */
  notConfigured?: string;
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
 * instance's encryption key so they never need configuring. Each is a key
 * of its own (HKDF, one per platform), not the sealing key: the secret
 * travels in every sandbox token request, and must tell nothing about it.
 */
export function sandboxCredentials(config: Pick<ResolvedConfig, "encryptionKey">, platform: Platform): PlatformCredentials {
  return {
    clientId: `sandbox_${platform}`,
    clientSecret: deriveKey(config.encryptionKey, KEY_PURPOSES.sandboxClientSecret(platform)).toString("base64url"),
  };
}

const CREDENTIAL_VARS: Record<Platform, string> = {
  tiktok: "TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET",
  instagram: "INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET",
};

/**
 * Live keys talk to the real platform (hosts from the environment); test keys
 * to this instance's sandbox, which speaks the same protocol on the wire.
 * With LAYERS_SANDBOX=off test keys have no platform at all: the endpoints
 * still name the sandbox's URLs, but without credentials nothing is sent.
 */
export function platformEndpoints(config: ResolvedConfig, platform: Platform, livemode: boolean): PlatformEndpoints {
  if (!livemode) {
    const base = `${config.publicUrl}${SANDBOX_PATH}/${platform}`;
    const credentials = config.sandbox ? { credentials: sandboxCredentials(config, platform) } : {
      credentials: undefined,
      notConfigured: `The sandbox is off on this Layers instance (LAYERS_SANDBOX=off), so test-mode keys (lp_test_) cannot connect ${PLATFORM_NAMES[platform]} accounts here. Use a live key (lp_live_), or ask the operator to turn the sandbox on.`,
    };
    return platform === "tiktok"
      ? { platform, ...credentials, authorizeUrl: `${base}/v2/auth/authorize/`, apiBaseUrl: base }
      : { platform, ...credentials, authorizeUrl: `${base}/oauth/authorize`, apiBaseUrl: `${base}/api`, graphBaseUrl: `${base}/graph` };
  }
  const live = config[platform];
  const credentials = live.credentials
    ? { credentials: live.credentials }
    : {
        credentials: undefined,
        notConfigured: `${PLATFORM_NAMES[platform]} is not configured on this Layers instance: the operator must set ${CREDENTIAL_VARS[platform]}. Test-mode keys (lp_test_) use the sandbox instead.`,
      };
  return platform === "tiktok"
    ? { platform, ...credentials, authorizeUrl: live.authorizeUrl, apiBaseUrl: live.apiBaseUrl }
    : { platform, ...credentials, authorizeUrl: live.authorizeUrl, apiBaseUrl: live.apiBaseUrl, graphBaseUrl: config.instagram.graphBaseUrl };
}
