import { randomInt } from "node:crypto";
import { dateOf } from "../../clock";
import type { Services } from "../../services";
import { sandboxCredentials } from "../platforms/config";
import { bearerToken, json, readForm, secretsEqual, tiktokLogId } from "./http";
import { sandboxAvatarUrl, sandboxCount, type SandboxUser, tiktokUnionId } from "./identity";
import { tiktokLifetimes } from "./lifetimes";
import {
  activeToken,
  grantOf,
  pruneExpired,
  randomText,
  redeemCode,
  redeemRefreshToken,
  type Refusal,
  revokeGrant,
  type SandboxGrant,
  storeTokens,
} from "./store";

type SandboxServices = Pick<Services, "config" | "database" | "clock">;

/** Tokens shaped like TikTok's: `act.` / `rft.` prefixes and the `!NNNN.va` tail. */
const tokenValue = (prefix: "act" | "rft") => `${prefix}.${randomText(36)}!${randomInt(1000, 10000)}.va`;

/**
 * An OAuth error body, `{"error","error_description","log_id"}`.
 *
 * Quirk 1 of PLATFORMS.md, made deterministic: every grant error
 * (invalid_request, invalid_grant, unsupported_grant_type) comes back with
 * HTTP 200, so adapters must read the body before the status. Only a bad
 * client_key / client_secret (invalid_client) gets a real 401. The route
 * guard's refusals (413, 429) come before any grant is looked at, so they
 * keep their real status too.
 */
export function oauthError(error: string, description: string, status = error === "invalid_client" ? 401 : 200): Response {
  const logId = tiktokLogId();
  return json({ error, error_description: description, log_id: logId }, status, { "x-tt-logid": logId });
}

const CODE_REFUSALS: Record<Refusal, string> = {
  not_found: "Authorization code is invalid.",
  used: "Authorization code has already been used.",
  expired: "Authorization code is expired.",
  revoked: "Authorization code has been revoked.",
  wrong_client: "Authorization code was issued to another client.",
  redirect_uri_mismatch: "redirect_uri does not match the redirect_uri of the authorization request.",
  verifier_mismatch: "code_verifier does not match the code_challenge of the authorization request.",
  unexpected_verifier: "code_verifier was sent, but the authorization request had no code_challenge.",
};

const REFRESH_REFUSALS: Record<Refusal, string> = {
  ...CODE_REFUSALS,
  not_found: "Refresh token is invalid.",
  used: "Refresh token has already been used: use the one returned by the last refresh.",
  expired: "Refresh token is expired.",
  revoked: "Refresh token has been revoked.",
  wrong_client: "Refresh token was issued to another client.",
};

/** The client must authenticate with the sandbox app's key and secret; null when it does. */
function clientRefusal(services: SandboxServices, form: URLSearchParams): Response | null {
  const credentials = sandboxCredentials(services.config, "tiktok");
  if (!form.get("client_key")) return oauthError("invalid_request", "client_key is required.");
  if (form.get("client_key") !== credentials.clientId || !secretsEqual(form.get("client_secret"), credentials.clientSecret)) {
    return oauthError("invalid_client", "Client key or client secret is invalid.");
  }
  return null;
}

/** POST /v2/oauth/token/: authorization_code and refresh_token grants. */
export async function tiktokToken(services: SandboxServices, req: Request): Promise<Response> {
  const form = await readForm(req, { multipart: false });
  if (!form) return oauthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded.");
  const refusal = clientRefusal(services, form);
  if (refusal) return refusal;
  const { db } = services.database;
  const now = dateOf(services.clock);
  const clientId = form.get("client_key")!;

  switch (form.get("grant_type")) {
    case "authorization_code": {
      const code = form.get("code");
      const redirect = form.get("redirect_uri");
      if (!code) return oauthError("invalid_request", "code is required.");
      if (!redirect) return oauthError("invalid_request", "redirect_uri is required.");
      await pruneExpired(db, now);
      return db.transaction(async (tx) => {
        const redeemed = await redeemCode(
          tx,
          { platform: "tiktok", code, clientId, redirectUri: redirect, codeVerifier: form.get("code_verifier") ?? undefined },
          now,
        );
        if (!redeemed.ok) return oauthError("invalid_grant", CODE_REFUSALS[redeemed.refusal]);
        const grant = grantOf(redeemed.row);
        const refreshExpiresAt = new Date(now.getTime() + tiktokLifetimes(grant.lifetimes).refreshS * 1000);
        return tokenReply(await issueTokens(tx, grant, now, refreshExpiresAt));
      });
    }
    case "refresh_token": {
      const token = form.get("refresh_token");
      if (!token) return oauthError("invalid_request", "refresh_token is required.");
      return db.transaction(async (tx) => {
        const redeemed = await redeemRefreshToken(tx, { platform: "tiktok", token, clientId }, now);
        if (!redeemed.ok) return oauthError("invalid_grant", REFRESH_REFUSALS[redeemed.refusal]);
        // The authorization's refresh lifetime runs from the first issuance
        // and rotation does not renew it ("valid for 365 days after the
        // initial issuance"): the new token inherits the old one's deadline,
        // past which the next refresh is invalid_grant.
        return tokenReply(await issueTokens(tx, grantOf(redeemed.row), now, redeemed.row.expiresAt));
      });
    }
    case null:
    case "":
      return oauthError("invalid_request", "grant_type is required.");
    default:
      return oauthError("unsupported_grant_type", `grant_type must be authorization_code or refresh_token.`);
  }
}

interface IssuedTokens {
  grant: SandboxGrant;
  accessToken: string;
  refreshToken: string;
  /** Seconds, as the reply states them. */
  expiresIn: number;
  refreshExpiresIn: number;
}

/**
 * A fresh access token of the grant's lifetime and a refresh token that
 * dies at `refreshExpiresAt`. The access token is not cut short at that
 * deadline: nothing in TikTok's docs says it is, and its `expires_in` then
 * always reads as the lifetime chosen.
 */
async function issueTokens(db: Parameters<typeof storeTokens>[0], grant: SandboxGrant, now: Date, refreshExpiresAt: Date): Promise<IssuedTokens> {
  const accessToken = tokenValue("act");
  const refreshToken = tokenValue("rft");
  const expiresIn = tiktokLifetimes(grant.lifetimes).accessS;
  await storeTokens(
    db,
    grant,
    [
      { kind: "access", value: accessToken, expiresAt: new Date(now.getTime() + expiresIn * 1000) },
      { kind: "refresh", value: refreshToken, expiresAt: refreshExpiresAt },
    ],
    now,
  );
  // Whole seconds, rounded down, so a client that schedules from the reply is never late.
  const refreshExpiresIn = Math.floor((refreshExpiresAt.getTime() - now.getTime()) / 1000);
  return { grant, accessToken, refreshToken, expiresIn, refreshExpiresIn };
}

/** The success body, key for key as TikTok sends it. */
const tokenReply = ({ grant, accessToken, refreshToken, expiresIn, refreshExpiresIn }: IssuedTokens) =>
  json({
    access_token: accessToken,
    expires_in: expiresIn,
    open_id: grant.user.userId,
    refresh_expires_in: refreshExpiresIn,
    refresh_token: refreshToken,
    scope: grant.scopes.join(","),
    token_type: "Bearer",
  });

/**
 * POST /v2/oauth/revoke/: ends the whole authorization (access and refresh
 * tokens alike). Success is HTTP 200 with an empty body; an unknown or
 * already revoked token is also a success (RFC 7009 §2.2).
 */
export async function tiktokRevoke(services: SandboxServices, req: Request): Promise<Response> {
  const form = await readForm(req, { multipart: false });
  if (!form) return oauthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded.");
  const refusal = clientRefusal(services, form);
  if (refusal) return refusal;
  const token = form.get("token");
  if (!token) return oauthError("invalid_request", "token is required.");
  const { db } = services.database;
  const now = dateOf(services.clock);
  const found = await activeToken(db, "tiktok", token, ["access", "refresh"], now);
  if (found.ok && found.row.clientId === form.get("client_key")) await revokeGrant(db, found.row.grantId, now);
  return new Response(null, { status: 200, headers: { "Cache-Control": "no-store", "x-tt-logid": tiktokLogId() } });
}

/** Which scope each user field needs (PLATFORMS.md, "Fields by scope"). */
const FIELD_SCOPES: Record<string, string> = {
  open_id: "user.info.basic",
  union_id: "user.info.basic",
  avatar_url: "user.info.basic",
  avatar_url_100: "user.info.basic",
  avatar_large_url: "user.info.basic",
  display_name: "user.info.basic",
  username: "user.info.profile",
  bio_description: "user.info.profile",
  profile_deep_link: "user.info.profile",
  is_verified: "user.info.profile",
  follower_count: "user.info.stats",
  following_count: "user.info.stats",
  likes_count: "user.info.stats",
  video_count: "user.info.stats",
};

function userField(field: string, user: SandboxUser, publicUrl: string): unknown {
  switch (field) {
    case "open_id":
      return user.userId;
    case "union_id":
      return tiktokUnionId(user);
    case "avatar_url":
    case "avatar_url_100":
    case "avatar_large_url":
      return sandboxAvatarUrl(publicUrl, user);
    case "display_name":
      return user.displayName;
    case "username":
      return user.username;
    case "bio_description":
      return "A sandbox account for testing Layers Connect.";
    case "profile_deep_link":
      return `${publicUrl}/sandbox/tiktok/@${user.username}`;
    case "is_verified":
      return false;
    case "follower_count":
      return sandboxCount(user, "followers", 250_000);
    case "following_count":
      return sandboxCount(user, "following", 2_000);
    case "likes_count":
      return sandboxCount(user, "likes", 5_000_000);
    case "video_count":
      return sandboxCount(user, "videos", 400);
  }
  throw new Error(`unknown TikTok user field ${field}`);
}

/** A user-API error: `{"data":{},"error":{"code","message","log_id"}}`. */
export function apiError(status: number, code: string, message: string): Response {
  const logId = tiktokLogId();
  return json({ data: {}, error: { code, message, log_id: logId } }, status, { "x-tt-logid": logId });
}

/** GET /v2/user/info/?fields=...: the fields asked for, each only if a granted scope covers it. */
export async function tiktokUserInfo(services: SandboxServices, req: Request): Promise<Response> {
  const token = bearerToken(req);
  if (!token) return apiError(401, "access_token_invalid", "The access token is invalid or not found in the request.");
  const found = await activeToken(services.database.db, "tiktok", token, ["access"], dateOf(services.clock));
  if (!found.ok) {
    const why = found.refusal === "expired" ? "The access token has expired." : "The access token is invalid or not found in the request.";
    return apiError(401, "access_token_invalid", why);
  }

  const fieldsParam = new URL(req.url).searchParams.get("fields");
  if (!fieldsParam) return apiError(400, "invalid_params", "The request parameters are malformed: `fields` is required.");
  const fields = [...new Set(fieldsParam.split(",").map((f) => f.trim()))];
  const unknown = fields.filter((f) => !(f in FIELD_SCOPES));
  if (unknown.length) return apiError(400, "invalid_params", `The request parameters are malformed: unknown field(s) ${unknown.join(", ")}.`);

  const granted = found.row.grantedScopes;
  const missing = [...new Set(fields.map((f) => FIELD_SCOPES[f]!).filter((scope) => !granted.includes(scope)))];
  if (missing.length) {
    return apiError(401, "scope_not_authorized", `The user did not authorize the scope required for completing this request: ${missing.join(", ")}.`);
  }

  const user = grantOf(found.row).user;
  const data = Object.fromEntries(fields.map((f) => [f, userField(f, user, services.config.publicUrl)]));
  const logId = tiktokLogId();
  return json({ data: { user: data }, error: { code: "ok", message: "", log_id: logId } }, 200, { "x-tt-logid": logId });
}

