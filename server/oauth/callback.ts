import { and, eq } from "drizzle-orm";
import { ID_PATTERNS } from "@/db/ids";
import { oauthStates, type Platform, PLATFORMS } from "@/db/schema";
import { recordAudit } from "../audit/record";
import { HOSTED_RETURN_PATH } from "../hosted/views";
import { upsertSocialAccount } from "../accounts/service";
import { describeError, log } from "../log";
import type { Services } from "../services";
import { createPlatformAdapter } from "./platforms";
import { platformEndpoints, redirectUri } from "./platforms/config";
import { type OAuthErrorCode, PlatformError } from "./platforms/types";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";

type StateRow = typeof oauthStates.$inferSelect;

export type CallbackOutcome =
  | { kind: "redirect"; location: string }
  /** No attempt can be identified: nowhere safe to send the browser. */
  | { kind: "error_page"; title: string; message: string };

const ERROR_MESSAGES: Record<OAuthErrorCode, string> = {
  access_denied: "The end-customer cancelled, or the platform denied access.",
  scope_not_granted: "The basic profile permission was not granted.",
  state_expired: "The authorization took longer than 10 minutes; create a new authorize URL.",
  token_exchange_failed: "The platform refused the authorization code.",
  profile_fetch_failed: "The platform did not return the account's profile.",
  platform_error: "The platform answered something unexpected.",
  server_error: "Layers could not complete the connection.",
};

/** How long a repeated callback waits for a concurrent first one to finish. */
const CONCURRENT_WAIT_MS = 15_000;

/**
 * GET /v1/social/oauth/callback/:platform (CONTRACT.md §3). The state is
 * claimed with one conditional UPDATE, so however many callbacks arrive for
 * it, the code is exchanged once; a repeated callback redirects the way the
 * first one did and changes nothing.
 */
export async function handleOAuthCallback(services: Services, platformParam: string, query: URLSearchParams): Promise<CallbackOutcome> {
  const stateId = query.get("state");
  if (!(PLATFORMS as readonly string[]).includes(platformParam) || !stateId || !ID_PATTERNS.st.test(stateId)) {
    return unknownAttempt();
  }
  const platform = platformParam as Platform;
  const { db } = services.database;
  const [attempt] = await db.select().from(oauthStates).where(eq(oauthStates.id, stateId)).limit(1);
  // A state used on the other platform's path never succeeds, and leaves the attempt untouched.
  if (!attempt || attempt.platform !== platform) return unknownAttempt();

  const now = new Date();
  if (attempt.status === "pending" && attempt.expiresAt <= now) {
    return fail(services, attempt, "pending", "state_expired", ERROR_MESSAGES.state_expired);
  }
  const [claimed] = await db
    .update(oauthStates)
    .set({ status: "processing" })
    .where(and(eq(oauthStates.id, attempt.id), eq(oauthStates.status, "pending")))
    .returning();
  if (!claimed) return replay(services, attempt.id);

  try {
    return await complete(services, claimed, query);
  } catch (error) {
    if (error instanceof PlatformError) {
      log.warn("oauth callback failed at the platform", { state: attempt.id, platform, code: error.code, error: error.message, ...error.detail });
      return fail(services, claimed, "processing", error.code, ERROR_MESSAGES[error.code]);
    }
    log.error("oauth callback failed", { state: attempt.id, platform, error: describeError(error) });
    return fail(services, claimed, "processing", "server_error", ERROR_MESSAGES.server_error);
  }
}

async function complete(services: Services, attempt: StateRow, query: URLSearchParams): Promise<CallbackOutcome> {
  const platformError = query.get("error");
  if (platformError) {
    const denied = platformError === "access_denied" || query.get("error_reason") === "user_denied";
    const description = (query.get("error_description") ?? "").slice(0, 300);
    return fail(
      services,
      attempt,
      "processing",
      denied ? "access_denied" : "platform_error",
      description ? `${denied ? ERROR_MESSAGES.access_denied : ERROR_MESSAGES.platform_error} (${platformError}: ${description})` : ERROR_MESSAGES[denied ? "access_denied" : "platform_error"],
    );
  }
  const code = query.get("code");
  if (!code) return fail(services, attempt, "processing", "platform_error", "The platform sent neither a code nor an error.");

  const { config, box, database } = services;
  const adapter = createPlatformAdapter(platformEndpoints(config, attempt.platform, attempt.livemode));
  const tokens = await adapter.exchangeCode({
    code,
    redirectUri: redirectUri(config, attempt.platform),
    codeVerifier: attempt.codeVerifierEnc ? box.open(attempt.codeVerifierEnc) : undefined,
  });

  // The token says what the token can do; TikTok's callback `scopes` says what the user left ticked.
  const callbackScopes = query.get("scopes")?.split(",").filter(Boolean);
  const granted = tokens.grantedScopes ?? callbackScopes ?? attempt.scopes;
  const grantedScopes = attempt.scopes.filter((s) => granted.includes(s));
  const missingScopes = attempt.scopes.filter((s) => !granted.includes(s));
  if (!granted.includes(PLATFORM_SCOPES[attempt.platform].basic)) {
    await adapter.revoke(tokens.accessToken).catch(() => false);
    return fail(services, attempt, "processing", "scope_not_granted", ERROR_MESSAGES.scope_not_granted, { grantedScopes, missingScopes });
  }

  const profile = await adapter.fetchProfile(tokens.accessToken, granted);
  await database.db.transaction(async (tx) => {
    const account = await upsertSocialAccount(tx, box, {
      orgId: attempt.orgId,
      projectId: attempt.projectId,
      platform: attempt.platform,
      livemode: attempt.livemode,
      profile,
      tokens,
      grantedScopes,
    });
    await tx
      .update(oauthStates)
      .set({ status: "completed", socialAccountId: account.id, grantedScopes, missingScopes, completedAt: new Date() })
      .where(eq(oauthStates.id, attempt.id));
    await recordAudit(tx, {
      orgId: attempt.orgId,
      actor: { type: "api_key", id: attempt.apiKeyId },
      action: account.created ? "account.connected" : "account.reconnected",
      targetType: "social_account",
      targetId: account.id,
      data: { platform: attempt.platform, username: profile.username, projectId: attempt.projectId, state: attempt.id },
    });
  });
  return { kind: "redirect", location: successLocation(services, attempt) };
}

/**
 * The returnUrl, unchanged, except for Layers' own hosted return page, which
 * needs the state to show the outcome (integrators cannot know the state when
 * they name the returnUrl).
 */
function successLocation(services: Services, attempt: Pick<StateRow, "id" | "returnUrl">): string {
  const url = new URL(attempt.returnUrl);
  if (url.origin === new URL(services.config.publicUrl).origin && url.pathname === HOSTED_RETURN_PATH) {
    url.searchParams.set("state", attempt.id);
    return url.toString();
  }
  return attempt.returnUrl;
}

async function fail(
  services: Services,
  attempt: StateRow,
  from: "pending" | "processing",
  code: OAuthErrorCode,
  message: string,
  scopes: { grantedScopes?: string[]; missingScopes?: string[] } = {},
): Promise<CallbackOutcome> {
  const [updated] = await services.database.db
    .update(oauthStates)
    .set({ status: "failed", errorCode: code, errorMessage: message, completedAt: new Date(), ...scopes })
    .where(and(eq(oauthStates.id, attempt.id), eq(oauthStates.status, from)))
    .returning({ id: oauthStates.id });
  // Another callback finished this state first: answer as it did.
  if (!updated) return replay(services, attempt.id);
  return { kind: "redirect", location: withError(successLocation(services, attempt), code) };
}

/** A finished (or in-flight) state: redirect exactly as its first callback did, touching nothing. */
async function replay(services: Services, stateId: string): Promise<CallbackOutcome> {
  const deadline = Date.now() + CONCURRENT_WAIT_MS;
  for (;;) {
    const [row] = await services.database.db.select().from(oauthStates).where(eq(oauthStates.id, stateId)).limit(1);
    if (!row) return unknownAttempt();
    if (row.status === "completed") return { kind: "redirect", location: successLocation(services, row) };
    if (row.status === "failed") {
      return { kind: "redirect", location: withError(successLocation(services, row), (row.errorCode as OAuthErrorCode) ?? "server_error") };
    }
    if (Date.now() > deadline) return { kind: "redirect", location: withError(successLocation(services, row), "server_error") };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function withError(returnUrl: string, code: OAuthErrorCode): string {
  const url = new URL(returnUrl);
  url.searchParams.set("layers_oauth_error", code);
  return url.toString();
}

const unknownAttempt = (): CallbackOutcome => ({
  kind: "error_page",
  title: "This connection link is not valid",
  message:
    "We could not find the connection attempt this page belongs to. It may have been mistyped or cut short. Go back to the app you came from and start connecting again.",
});
