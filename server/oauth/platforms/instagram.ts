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

export interface InstagramAdapterOptions extends AdapterOptions {
  endpoints: PlatformEndpoints;
}

/** Keys whose bare-number values are read as exact text: ids can exceed 2^53 (quirk 4). */
const ID_KEYS = ["user_id", "id"];
const PROFILE_FIELDS = "user_id,username,name,account_type,profile_picture_url";

interface FailCodes {
  /** The platform said no: an error body or a 4xx. */
  refused: PlatformError["code"];
  /** Anything else: network, timeout, 5xx, a body we cannot read. */
  unexpected: PlatformError["code"];
}
const TOKEN_CODES: FailCodes = { refused: "token_exchange_failed", unexpected: "platform_error" };
const PROFILE_CODES: FailCodes = { refused: "profile_fetch_failed", unexpected: "profile_fetch_failed" };

/** The Instagram API with Instagram Login (business login), as PLATFORMS.md describes it. */
export function createInstagramAdapter({ endpoints, ...options }: InstagramAdapterOptions): PlatformAdapter {
  if (endpoints.platform !== "instagram") throw new Error(`createInstagramAdapter got ${endpoints.platform} endpoints`);
  const credentials = endpoints.credentials;
  if (!credentials) throw new Error("Instagram credentials are not configured");
  const graphBaseUrl = endpoints.graphBaseUrl;
  if (!graphBaseUrl) throw new Error("Instagram endpoints need a graphBaseUrl");
  const now = options.now ?? Date.now;

  /** The long-lived token endpoints (exchange and refresh) answer `{access_token, token_type, expires_in}`. */
  const graphToken = async (operation: string, path: string, query: Record<string, string>): Promise<TokenSet> => {
    const response = await platformRequest(options, {
      operation,
      method: "GET",
      url: joinUrl(graphBaseUrl, path),
      query,
      failCode: TOKEN_CODES.unexpected,
    });
    const issuedAt = now();
    const body = readReply(response, operation, TOKEN_CODES);
    const accessToken = nonEmpty(body.access_token);
    if (!accessToken) throw response.fail(TOKEN_CODES.unexpected, `${operation} answered without an access token`);
    return {
      accessToken,
      accessTokenExpiresAt: expiresIn(body.expires_in, issuedAt),
      refreshToken: null,
      refreshTokenExpiresAt: null,
      grantedScopes: null,
      platformUserId: null,
    };
  };

  return {
    platform: "instagram",

    async exchangeCode({ code, redirectUri }) {
      const operation = "Instagram token exchange";
      const response = await platformRequest(options, {
        operation,
        method: "POST",
        url: joinUrl(endpoints.apiBaseUrl, "/oauth/access_token"),
        form: {
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          grant_type: "authorization_code",
          redirect_uri: redirectUri,
          // A pasted code may still carry the redirect's `#_` fragment.
          code: code.replace(/#.*$/s, ""),
        },
        failCode: TOKEN_CODES.unexpected,
      });
      const body = readReply(response, operation, TOKEN_CODES);
      const shortLived = nonEmpty(body.access_token);
      if (!shortLived) throw response.fail(TOKEN_CODES.unexpected, `${operation} answered without an access token`);

      const longLived = await graphToken("Instagram long-lived token exchange", "/access_token", {
        grant_type: "ig_exchange_token",
        client_secret: credentials.clientSecret,
        access_token: shortLived,
      });
      return { ...longLived, grantedScopes: splitScopes(body.permissions), platformUserId: idText(body.user_id) };
    },

    async fetchProfile(accessToken) {
      // Every field asked for is covered by instagram_business_basic, the one scope always granted.
      const operation = "Instagram profile";
      const response = await platformRequest(options, {
        operation,
        method: "GET",
        url: joinUrl(graphBaseUrl, "/me"),
        query: { fields: PROFILE_FIELDS, access_token: accessToken },
        failCode: PROFILE_CODES.unexpected,
      });
      const body = readReply(response, operation, PROFILE_CODES);
      const platformUserId = idText(body.user_id) ?? idText(body.id);
      if (!platformUserId) throw response.fail("profile_fetch_failed", `${operation} answered without a user id`);
      return {
        platformUserId,
        username: nonEmpty(body.username),
        displayName: nonEmpty(body.name),
        avatarUrl: nonEmpty(body.profile_picture_url),
      } satisfies Profile;
    },

    async refresh({ accessToken }) {
      try {
        return await graphToken("Instagram token refresh", "/refresh_access_token", { grant_type: "ig_refresh_token", access_token: accessToken });
      } catch (error) {
        const reason = error instanceof PlatformError ? refreshRefusal(error) : undefined;
        throw reason ? (error as PlatformError).definitive(reason) : error;
      }
    },

    async revoke() {
      // PLATFORMS.md lists no revoke call for Instagram: the token simply expires.
      return false;
    },
  };
}

/**
 * A successful Instagram reply as one flat object, whichever shape it came
 * in (quirk 4: flat, or wrapped in `{"data":[...]}`), or the right failure.
 */
function readReply(response: PlatformResponse, operation: string, codes: FailCodes): Record<string, unknown> {
  if (isUnexpectedStatus(response.status)) throw response.fail(codes.unexpected, `${operation} answered HTTP ${response.status}`);
  const body = response.json(codes.unexpected, ID_KEYS);
  const refusal = errorIn(body);
  if (refusal) throw response.fail(codes.refused, `${operation} was refused (${refusal.platformError})`, refusal);
  if (response.status >= 400) throw response.fail(codes.refused, `${operation} was refused with HTTP ${response.status}`);
  const reply = isRecord(body) && Array.isArray(body.data) ? body.data[0] : body;
  if (!isRecord(reply)) throw response.fail(codes.unexpected, `${operation} answered with an unexpected body`);
  return reply;
}

/**
 * A refresh refused for good (PLATFORMS.md): Graph error 190 is a dead token, its subcode says why (463
 * expired; 458 app removed, 460 password changed, 467 logged out: withdrawn; 459 a checkpoint on the
 * account, which the end-customer clears by logging in to Instagram and reconnecting); 10 and 200–299 are
 * permissions. Throttling (4, 17, 32, 613), transient server errors (1, 2) and anything unknown may pass.
 */
function refreshRefusal(error: PlatformError): ReauthReason | undefined {
  const code = Number(error.detail.platformCode);
  if (code === 190) {
    const subcode = Number(error.detail.platformSubcode);
    if (subcode === 463) return "refresh_token_expired";
    if (subcode === 459) return "refresh_failed";
    return "token_revoked";
  }
  if (code === 10 || (code >= 200 && code <= 299)) return "permission_removed";
  return undefined;
}

interface InstagramFailure extends Record<string, unknown> {
  platformError: string;
}

/**
 * The failure an Instagram body reports, if any: the flat OAuth form
 * (`error_type`, `code`, `error_message`) or the Graph form (`error: {...}`).
 */
function errorIn(body: unknown): InstagramFailure | null {
  if (!isRecord(body)) return null;
  if (nonEmpty(body.error_type) || nonEmpty(body.error_message)) {
    return { platformError: nonEmpty(body.error_type) ?? "error", platformCode: body.code, description: body.error_message };
  }
  const error = body.error;
  if (isRecord(error)) {
    return {
      platformError: nonEmpty(error.type) ?? "error",
      platformCode: error.code,
      platformSubcode: error.error_subcode,
      description: error.message,
      traceId: error.fbtrace_id,
    };
  }
  const oauthError = nonEmpty(error);
  if (oauthError) return { platformError: oauthError, description: body.error_description ?? body.error_reason };
  return null;
}
