import type { PlatformEndpoints } from "./config";
import {
  type AdapterOptions,
  type PlatformResponse,
  expiresIn,
  idText,
  isRecord,
  isUnexpectedStatus,
  joinUrl,
  nonEmpty,
  platformRequest,
  splitScopes,
} from "./http";
import type { ReauthReason } from "@/server/contract/vocabulary";
import { PlatformError, type PlatformAdapter, type Profile, type TokenSet } from "./types";

export interface TikTokAdapterOptions extends AdapterOptions {
  endpoints: PlatformEndpoints;
}

/** Fields `user.info.basic` covers; TikTok refuses a request naming any field the scopes do not. */
const BASIC_FIELDS = ["open_id", "union_id", "avatar_url", "display_name"];
const PROFILE_SCOPE = "user.info.profile";

/** TikTok Login Kit for Web, API v2, as PLATFORMS.md describes it. */
export function createTikTokAdapter({ endpoints, ...options }: TikTokAdapterOptions): PlatformAdapter {
  if (endpoints.platform !== "tiktok") throw new Error(`createTikTokAdapter got ${endpoints.platform} endpoints`);
  const credentials = endpoints.credentials;
  if (!credentials) throw new Error("TikTok credentials are not configured");
  const now = options.now ?? Date.now;
  const client = { client_key: credentials.clientId, client_secret: credentials.clientSecret };

  async function tokenGrant(operation: string, grant: Record<string, string>): Promise<TokenSet> {
    const response = await platformRequest(options, {
      operation,
      method: "POST",
      url: joinUrl(endpoints.apiBaseUrl, "/v2/oauth/token/"),
      form: { ...client, ...grant },
      failCode: "platform_error",
    });
    const issuedAt = now();
    if (isUnexpectedStatus(response.status)) throw response.fail("platform_error", `${operation} answered HTTP ${response.status}`);
    const body = response.json("platform_error");
    // Quirk 1: a refusal may come with HTTP 200, so the body decides first.
    const refusal = errorIn(body);
    if (refusal) throw response.fail("token_exchange_failed", `${operation} was refused (${refusal.platformError})`, refusal);
    if (response.status >= 400) throw response.fail("token_exchange_failed", `${operation} was refused with HTTP ${response.status}`);
    const accessToken = isRecord(body) ? nonEmpty(body.access_token) : null;
    if (!isRecord(body) || !accessToken) throw response.fail("platform_error", `${operation} answered without an access token`);
    return {
      accessToken,
      accessTokenExpiresAt: expiresIn(body.expires_in, issuedAt),
      refreshToken: nonEmpty(body.refresh_token),
      refreshTokenExpiresAt: expiresIn(body.refresh_expires_in, issuedAt),
      // Quirk 3: `scope` here is what the user actually granted.
      grantedScopes: splitScopes(body.scope),
      platformUserId: idText(body.open_id),
    };
  }

  return {
    platform: "tiktok",

    exchangeCode({ code, redirectUri, codeVerifier }) {
      // `code` was decoded once by the callback; URLSearchParams encodes it once again for the form.
      const grant: Record<string, string> = { code, grant_type: "authorization_code", redirect_uri: redirectUri };
      if (codeVerifier !== undefined) grant.code_verifier = codeVerifier;
      return tokenGrant("TikTok token exchange", grant);
    },

    async fetchProfile(accessToken, grantedScopes) {
      const fields = grantedScopes.includes(PROFILE_SCOPE) ? [...BASIC_FIELDS, "username"] : BASIC_FIELDS;
      const operation = "TikTok user info";
      const response = await platformRequest(options, {
        operation,
        method: "GET",
        // Field names are fixed identifiers: the commas go out literally, as in TikTok's docs.
        url: `${joinUrl(endpoints.apiBaseUrl, "/v2/user/info/")}?fields=${fields.join(",")}`,
        bearerToken: accessToken,
        failCode: "profile_fetch_failed",
      });
      const ok = response.status >= 200 && response.status < 300;
      const body = ok ? response.json("profile_fetch_failed") : jsonOrUndefined(response);
      // Quirk 2: success also carries `error`, with code "ok".
      const failure = errorIn(body);
      if (failure) throw response.fail("profile_fetch_failed", `${operation} failed (${failure.platformError})`, failure);
      if (!ok) throw response.fail("profile_fetch_failed", `${operation} answered HTTP ${response.status}`);
      const user = isRecord(body) && isRecord(body.data) && isRecord(body.data.user) ? body.data.user : null;
      const openId = user ? idText(user.open_id) : null;
      if (!user || !openId) throw response.fail("profile_fetch_failed", `${operation} answered without an open_id`);
      return {
        platformUserId: openId,
        username: nonEmpty(user.username),
        displayName: nonEmpty(user.display_name),
        avatarUrl: nonEmpty(user.avatar_url),
      } satisfies Profile;
    },

    async refresh({ refreshToken }) {
      if (!refreshToken) {
        throw new PlatformError("token_exchange_failed", "TikTok refresh needs a refresh token", { operation: "TikTok token refresh" }, "refresh_failed");
      }
      try {
        return await tokenGrant("TikTok token refresh", { grant_type: "refresh_token", refresh_token: refreshToken });
      } catch (error) {
        const reason = error instanceof PlatformError ? refreshRefusal(error) : undefined;
        throw reason ? (error as PlatformError).definitive(reason) : error;
      }
    },

    async revoke(accessToken) {
      const operation = "TikTok revoke";
      const response = await platformRequest(options, {
        operation,
        method: "POST",
        url: joinUrl(endpoints.apiBaseUrl, "/v2/oauth/revoke/"),
        form: { ...client, token: accessToken },
        failCode: "platform_error",
      });
      const ok = response.status >= 200 && response.status < 300;
      const body = ok ? (response.text.trim() === "" ? {} : response.json("platform_error")) : jsonOrUndefined(response);
      const failure = errorIn(body);
      if (failure) throw response.fail("platform_error", `${operation} failed (${failure.platformError})`, failure);
      if (!ok) throw response.fail("platform_error", `${operation} answered HTTP ${response.status}`);
      return true;
    },
  };
}

/**
 * A refresh refused for good (PLATFORMS.md): `invalid_grant` is an expired, revoked or already used refresh
 * token (the caller knows from the stored expiry which); `access_denied` a withdrawn authorization;
 * `scope_not_authorized` a permission taken back. Anything else (5xx, 429, timeouts, `invalid_client`, which
 * is the operator's to fix) may pass.
 */
function refreshRefusal(error: PlatformError): ReauthReason | undefined {
  switch (error.detail.platformError) {
    case "invalid_grant":
    case "access_denied":
      return "token_revoked";
    case "scope_not_authorized":
      return "permission_removed";
    default:
      return undefined;
  }
}

interface TikTokFailure extends Record<string, unknown> {
  platformError: string;
  description?: unknown;
  logId?: unknown;
}

/**
 * The failure a TikTok body reports, if any: OAuth endpoints use a string
 * `error` (+ `error_description`), the user API an `error` object whose
 * `code` is "ok" on success.
 */
function errorIn(body: unknown): TikTokFailure | null {
  if (!isRecord(body)) return null;
  const error = body.error;
  const oauthError = nonEmpty(error);
  if (oauthError) return { platformError: oauthError, description: body.error_description, logId: body.log_id };
  if (isRecord(error)) {
    const code = nonEmpty(error.code);
    if (code && code !== "ok") return { platformError: code, description: error.message, logId: error.log_id };
  }
  return null;
}

/** An error body is read for its details only; one that is not JSON is still just a failed call. */
function jsonOrUndefined(response: PlatformResponse): unknown {
  try {
    return response.json("platform_error");
  } catch {
    return undefined;
  }
}
