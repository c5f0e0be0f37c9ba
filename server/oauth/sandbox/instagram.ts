import type { Queryable } from "@/db/client";
import { dateOf } from "../../clock";
import type { Services } from "../../services";
import { sandboxCredentials } from "../platforms/config";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";
import { bearerToken, fbTraceId, json, jsonText, readForm, secretsEqual } from "./http";
import { instagramAppScopedId, sandboxAvatarUrl, sandboxCount, type SandboxUser } from "./identity";
import { instagramLongLivedS, instagramShortLivedS } from "./lifetimes";
import { activeToken, grantOf, pruneExpired, randomText, redeemCode, type Refusal, type SandboxGrant, storeTokens } from "./store";

type SandboxServices = Pick<Services, "config" | "database" | "clock">;

/** Instagram refreshes a long-lived token only once it is this old (PLATFORMS.md). */
const INSTAGRAM_MIN_REFRESH_AGE_MS = 24 * 3_600_000;

const tokenValue = () => `IGAA${randomText(96)}`;

/**
 * The flat error of the short-lived token endpoint. Its `code` is the HTTP
 * status (400 for every refusal of the request itself; the route guard's
 * 413 and 429 follow the same rule).
 */
export function oauthException(message: string, status = 400): Response {
  return json({ error_type: "OAuthException", code: status, error_message: message }, status);
}

const CODE_REFUSALS: Record<Refusal, string> = {
  not_found: "Matching code was not found or was already used",
  used: "Matching code was not found or was already used",
  revoked: "Matching code was not found or was already used",
  expired: "This authorization code has expired.",
  wrong_client: "Matching code was not found or was already used",
  redirect_uri_mismatch:
    "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
  verifier_mismatch: "Matching code was not found or was already used",
  unexpected_verifier: "Matching code was not found or was already used",
};

/**
 * POST /oauth/access_token (api.instagram.com): code → short-lived token,
 * in the flat shape. `user_id` is written into the JSON text as a bare
 * number, so it arrives above 2^53 exactly as Instagram sends it.
 */
export async function instagramAccessToken(services: SandboxServices, req: Request): Promise<Response> {
  const form = (await readForm(req, { multipart: true })) ?? new URLSearchParams();
  const credentials = sandboxCredentials(services.config, "instagram");
  for (const field of ["client_id", "client_secret", "grant_type", "redirect_uri", "code"]) {
    if (!form.get(field)) return oauthException(`Missing required field ${field}`);
  }
  if (form.get("client_id") !== credentials.clientId) return oauthException("Invalid platform app");
  if (!secretsEqual(form.get("client_secret"), credentials.clientSecret)) return oauthException("Error validating client secret.");
  if (form.get("grant_type") !== "authorization_code") return oauthException("Unsupported grant_type, expected authorization_code");

  const now = dateOf(services.clock);
  await pruneExpired(services.database.db, now);
  return services.database.db.transaction(async (tx) => {
    const redeemed = await redeemCode(
      tx,
      { platform: "instagram", code: form.get("code")!, clientId: credentials.clientId, redirectUri: form.get("redirect_uri")! },
      now,
    );
    if (!redeemed.ok) return oauthException(CODE_REFUSALS[redeemed.refusal]);
    const grant = grantOf(redeemed.row);
    const accessToken = await issueToken(tx, grant, "short_lived", instagramShortLivedS(grant.lifetimes), now);
    const userId = grant.user.userId;
    if (!/^\d+$/.test(userId)) throw new Error("sandbox Instagram user ids are decimal");
    return jsonText(`{"access_token":${JSON.stringify(accessToken)},"user_id":${userId},"permissions":${JSON.stringify(grant.scopes)}}`);
  });
}

async function issueToken(db: Queryable, grant: SandboxGrant, kind: "short_lived" | "access", ttlSeconds: number, now: Date) {
  const value = tokenValue();
  await storeTokens(db, grant, [{ kind, value, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) }], now);
  return value;
}

export interface GraphErrorSpec {
  message: string;
  code: number;
  subcode?: number;
  status?: number;
}

/** `{"error":{"message","type":"OAuthException","code",["error_subcode"],"fbtrace_id"}}`. */
export function graphError({ message, code, subcode, status = 400 }: GraphErrorSpec): Response {
  const error: Record<string, unknown> = { message, type: "OAuthException", code };
  if (subcode !== undefined) error.error_subcode = subcode;
  error.fbtrace_id = fbTraceId();
  return json({ error }, status);
}

/**
 * Token failures are code 190 with the subcode PLATFORMS.md lists: 463 when
 * expired, 458 when the user removed the app (the consent page's "Revoke
 * access"), 460 when the session is gone or never existed.
 */
function tokenError(refusal: Refusal): GraphErrorSpec {
  switch (refusal) {
    case "expired":
      return { message: "Error validating access token: Session has expired.", code: 190, subcode: 463 };
    case "revoked":
      return { message: "Error validating access token: The user has not authorized application.", code: 190, subcode: 458 };
    default:
      return { message: "Error validating access token: The session has been invalidated or the token is not valid.", code: 190, subcode: 460 };
  }
}

const VERSION = /^v\d+\.\d+$/;

/**
 * GET on graph.instagram.com, with or without a version prefix
 * (`/me`, `/v23.0/me`): /access_token, /refresh_access_token, /me.
 */
export async function instagramGraph(services: SandboxServices, req: Request, path: readonly string[]): Promise<Response> {
  const segments = path.length > 1 && VERSION.test(path[0]!) ? path.slice(1) : path;
  const query = new URL(req.url).searchParams;
  switch (segments.length === 1 ? segments[0] : null) {
    case "access_token":
      return exchangeForLongLived(services, query);
    case "refresh_access_token":
      return refreshLongLived(services, query);
    case "me":
      return me(services, query.get("access_token") ?? bearerToken(req), query.get("fields"));
    default:
      return graphError({ message: `Unknown path components: /${path.join("/")}`, code: 2500 });
  }
}

/** Issues a long-lived token of the grant's lifetime and answers it as Graph does. */
async function longLivedReply(db: Queryable, grant: SandboxGrant, now: Date): Promise<Response> {
  const expiresIn = instagramLongLivedS(grant.lifetimes);
  const accessToken = await issueToken(db, grant, "access", expiresIn, now);
  return json({ access_token: accessToken, token_type: "bearer", expires_in: expiresIn });
}

/** ?grant_type=ig_exchange_token&client_secret=...&access_token=<short-lived> */
async function exchangeForLongLived(services: SandboxServices, query: URLSearchParams): Promise<Response> {
  if (query.get("grant_type") !== "ig_exchange_token") return graphError({ message: "Unsupported grant_type, expected ig_exchange_token", code: 100 });
  const credentials = sandboxCredentials(services.config, "instagram");
  if (!secretsEqual(query.get("client_secret"), credentials.clientSecret)) return graphError({ message: "Error validating client secret.", code: 100 });
  const token = query.get("access_token");
  if (!token) return graphError({ message: "An access token is required to request this resource.", code: 104 });
  const { db } = services.database;
  const now = dateOf(services.clock);
  const found = await activeToken(db, "instagram", token, ["short_lived", "access"], now);
  if (!found.ok) return graphError(tokenError(found.refusal));
  if (found.row.kind !== "short_lived") return graphError({ message: "Only short-lived access tokens can be exchanged for long-lived ones.", code: 100 });
  return longLivedReply(db, grantOf(found.row), now);
}

/**
 * ?grant_type=ig_refresh_token&access_token=<long-lived>. A new long-lived
 * token of the grant's lifetime; the old one stays valid until it expires.
 * As on Instagram, only a token at least 24 hours old may be refreshed:
 * a younger one is refused with code 100 (a bad request, not 190, since the
 * token itself is fine), so a token whose chosen lifetime is under a day
 * can never be refreshed and simply expires.
 */
async function refreshLongLived(services: SandboxServices, query: URLSearchParams): Promise<Response> {
  if (query.get("grant_type") !== "ig_refresh_token") return graphError({ message: "Unsupported grant_type, expected ig_refresh_token", code: 100 });
  const token = query.get("access_token");
  if (!token) return graphError({ message: "An access token is required to request this resource.", code: 104 });
  const { db } = services.database;
  const now = dateOf(services.clock);
  const found = await activeToken(db, "instagram", token, ["short_lived", "access"], now);
  if (!found.ok) return graphError(tokenError(found.refusal));
  if (found.row.kind !== "access") return graphError({ message: "Only long-lived access tokens can be refreshed.", code: 100 });
  const refreshableAt = new Date(found.row.createdAt.getTime() + INSTAGRAM_MIN_REFRESH_AGE_MS);
  if (now < refreshableAt) {
    return graphError({
      message: `(#100) The access token is less than 24 hours old and cannot be refreshed yet: it can be refreshed from ${refreshableAt.toISOString()}.`,
      code: 100,
    });
  }
  return longLivedReply(db, grantOf(found.row), now);
}

function profileField(field: string, user: SandboxUser, publicUrl: string): unknown {
  switch (field) {
    case "user_id":
      return user.userId;
    case "username":
      return user.username;
    case "name":
      return user.displayName;
    case "account_type":
      return "Business";
    case "profile_picture_url":
      return sandboxAvatarUrl(publicUrl, user);
    case "followers_count":
      return sandboxCount(user, "followers", 250_000);
    case "follows_count":
      return sandboxCount(user, "following", 2_000);
    case "media_count":
      return sandboxCount(user, "media", 400);
    case "biography":
      return "A sandbox account for testing Layers Connect.";
  }
  return undefined;
}

/**
 * /me?fields=...: a flat object, ids as strings. Like Graph, it always adds
 * `id` (the app-scoped id, a different number from `user_id`, which is the
 * one to store).
 */
async function me(services: SandboxServices, token: string | null, fieldsParam: string | null): Promise<Response> {
  if (!token) return graphError({ message: "An active access token must be used to query information about the current user.", code: 2500 });
  const found = await activeToken(services.database.db, "instagram", token, ["short_lived", "access"], dateOf(services.clock));
  if (!found.ok) return graphError(tokenError(found.refusal));
  const { user, scopes } = grantOf(found.row);
  if (!scopes.includes(PLATFORM_SCOPES.instagram.basic)) {
    return graphError({ message: "(#10) Application does not have permission for this action", code: 10, status: 403 });
  }
  const fields = [...new Set((fieldsParam ?? "").split(",").map((f) => f.trim()).filter((f) => f && f !== "id"))];
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = profileField(field, user, services.config.publicUrl);
    if (value === undefined) return graphError({ message: `(#100) Tried accessing nonexisting field (${field}) on node type (User)`, code: 100 });
    body[field] = value;
  }
  body.id = instagramAppScopedId(user);
  return json(body);
}
