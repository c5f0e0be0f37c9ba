import type { PlatformEndpoints } from "./config";
import type { AdapterOptions } from "./http";
import { createInstagramAdapter } from "./instagram";
import { createTikTokAdapter } from "./tiktok";
import type { PlatformAdapter } from "./types";

export { DEFAULT_TIMEOUT_MS, type AdapterOptions, type Fetch } from "./http";
export { createInstagramAdapter } from "./instagram";
export { createTikTokAdapter } from "./tiktok";
export { OAUTH_ERROR_CODES, PlatformError, type OAuthErrorCode, type PlatformAdapter, type Profile, type TokenSet } from "./types";

/** The adapter for the endpoints' platform, live or sandbox alike. */
export function createPlatformAdapter(endpoints: PlatformEndpoints, options: AdapterOptions = {}): PlatformAdapter {
  if (!endpoints.credentials) throw new Error(`No ${endpoints.platform} credentials are configured`);
  switch (endpoints.platform) {
    case "tiktok":
      return createTikTokAdapter({ endpoints, ...options });
    case "instagram":
      return createInstagramAdapter({ endpoints, ...options });
  }
}
