import { ID_PATTERNS } from "@/db/ids";
import { type Platform, PLATFORMS } from "@/db/schema";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";
import { upsertSocialAccount } from "../accounts/service";
import { bindingAllows } from "../attempts/binding";
import { type AttemptRow, claimAttempt, completeAttempt, failAttempt, findAttempt } from "../attempts/store";
import { recordAudit } from "../audit/record";
import { SEALED } from "../crypto/sealed";
import { type DomainContext, inTransaction } from "../domain/context";
import { keyScope } from "../domain/scope";
import { HOSTED_RETURN_PATH } from "../hosted/views";
import { describeError, log } from "../log";
import { createPlatformAdapter } from "./platforms";
import { platformEndpoints, redirectUri } from "./platforms/config";
import { type OAuthErrorCode, PlatformError } from "./platforms/types";

export type CallbackOutcome =
  | { kind: "redirect"; location: string }
  /** No attempt can be identified, or not for this browser: nowhere safe to send it. */
  | { kind: "error_page"; title: string; message: string; status: number };

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
 *
 * `bindingToken` is the browser's hosted-page cookie (server/attempts/binding.ts).
 */
export async function handleOAuthCallback(
  ctx: DomainContext,
  platformParam: string,
  query: URLSearchParams,
  bindingToken: string | null,
): Promise<CallbackOutcome> {
  const stateId = query.get("state");
  if (!(PLATFORMS as readonly string[]).includes(platformParam) || !stateId || !ID_PATTERNS.st.test(stateId)) {
    return unknownAttempt();
  }
  const platform = platformParam as Platform;
  const attempt = await findAttempt(ctx, stateId);
  // A state used on the other platform's path never succeeds, and leaves the attempt untouched.
  if (!attempt || attempt.platform !== platform) return unknownAttempt();
  // An attempt bound on the hosted page finishes only in the browser that pressed its button: a
  // leaked state with a hand-made authorize URL gets nowhere. Nothing is exchanged or stored, and
  // the state stays usable by its own browser, so a stranger cannot spoil it either.
  if (!bindingAllows(attempt, bindingToken)) return otherBrowser();

  const now = new Date();
  if (attempt.status === "pending" && attempt.expiresAt <= now) {
    return fail(ctx, attempt, "pending", "state_expired", ERROR_MESSAGES.state_expired);
  }
  const claimed = await claimAttempt(ctx, attempt.id);
  if (!claimed) return replay(ctx, attempt.id);

  try {
    return await complete(ctx, claimed, query);
  } catch (error) {
    if (error instanceof PlatformError) {
      log.warn("oauth callback failed at the platform", { state: attempt.id, platform, code: error.code, error: error.message, ...error.detail });
      return fail(ctx, claimed, "processing", error.code, ERROR_MESSAGES[error.code]);
    }
    log.error("oauth callback failed", { state: attempt.id, platform, error: describeError(error) });
    return fail(ctx, claimed, "processing", "server_error", ERROR_MESSAGES.server_error);
  }
}

async function complete(ctx: DomainContext, attempt: AttemptRow, query: URLSearchParams): Promise<CallbackOutcome> {
  const platformError = query.get("error");
  if (platformError) {
    const denied = platformError === "access_denied" || query.get("error_reason") === "user_denied";
    const description = (query.get("error_description") ?? "").slice(0, 300);
    return fail(
      ctx,
      attempt,
      "processing",
      denied ? "access_denied" : "platform_error",
      description ? `${denied ? ERROR_MESSAGES.access_denied : ERROR_MESSAGES.platform_error} (${platformError}: ${description})` : ERROR_MESSAGES[denied ? "access_denied" : "platform_error"],
    );
  }
  const code = query.get("code");
  if (!code) return fail(ctx, attempt, "processing", "platform_error", "The platform sent neither a code nor an error.");

  const { config, box } = ctx;
  const adapter = createPlatformAdapter(platformEndpoints(config, attempt.platform, attempt.livemode));
  const tokens = await adapter.exchangeCode({
    code,
    redirectUri: redirectUri(config, attempt.platform),
    codeVerifier: attempt.codeVerifierEnc ? box.open(attempt.codeVerifierEnc, SEALED.codeVerifier.at(attempt.id)) : undefined,
  });

  // The token says what the token can do; TikTok's callback `scopes` says what the user left ticked.
  const callbackScopes = query.get("scopes")?.split(",").filter(Boolean);
  const granted = tokens.grantedScopes ?? callbackScopes ?? attempt.scopes;
  const grantedScopes = attempt.scopes.filter((s) => granted.includes(s));
  const missingScopes = attempt.scopes.filter((s) => !granted.includes(s));
  if (!granted.includes(PLATFORM_SCOPES[attempt.platform].basic)) {
    await adapter.revoke(tokens.accessToken).catch(() => false);
    return fail(ctx, attempt, "processing", "scope_not_granted", ERROR_MESSAGES.scope_not_granted, { grantedScopes, missingScopes });
  }

  const profile = await adapter.fetchProfile(tokens.accessToken, granted);
  // The attempt acts as the key that started it, in that key's organization and mode: the account gets the attempt's livemode.
  const scope = keyScope({ id: attempt.apiKeyId, orgId: attempt.orgId, mode: attempt.livemode ? "live" : "test" });
  await inTransaction(ctx, async (tx) => {
    const account = await upsertSocialAccount(tx, scope, {
      projectId: attempt.projectId,
      platform: attempt.platform,
      profile,
      tokens,
      grantedScopes,
    });
    await completeAttempt(tx, attempt.id, { socialAccountId: account.id, grantedScopes, missingScopes });
    await recordAudit(tx, scope, {
      action: account.created ? "account.connected" : "account.reconnected",
      targetType: "social_account",
      targetId: account.id,
      data: { platform: attempt.platform, username: profile.username, projectId: attempt.projectId, state: attempt.id },
    });
  });
  return { kind: "redirect", location: successLocation(ctx, attempt) };
}

/**
 * The returnUrl, unchanged, except for Layers' own hosted return page, which
 * needs the state to show the outcome (integrators cannot know the state when
 * they name the returnUrl).
 */
function successLocation(ctx: DomainContext, attempt: Pick<AttemptRow, "id" | "returnUrl">): string {
  const url = new URL(attempt.returnUrl);
  if (url.origin === new URL(ctx.config.publicUrl).origin && url.pathname === HOSTED_RETURN_PATH) {
    url.searchParams.set("state", attempt.id);
    return url.toString();
  }
  return attempt.returnUrl;
}

async function fail(
  ctx: DomainContext,
  attempt: AttemptRow,
  from: "pending" | "processing",
  code: OAuthErrorCode,
  message: string,
  scopes: { grantedScopes?: string[]; missingScopes?: string[] } = {},
): Promise<CallbackOutcome> {
  // Another callback finished this state first: answer as it did.
  if (!(await failAttempt(ctx, attempt.id, from, { errorCode: code, errorMessage: message, ...scopes }))) return replay(ctx, attempt.id);
  return { kind: "redirect", location: withError(successLocation(ctx, attempt), code) };
}

/** A finished (or in-flight) state: redirect exactly as its first callback did, touching nothing. */
async function replay(ctx: DomainContext, stateId: string): Promise<CallbackOutcome> {
  const deadline = Date.now() + CONCURRENT_WAIT_MS;
  for (;;) {
    const row = await findAttempt(ctx, stateId);
    if (!row) return unknownAttempt();
    if (row.status === "completed") return { kind: "redirect", location: successLocation(ctx, row) };
    if (row.status === "failed") {
      return { kind: "redirect", location: withError(successLocation(ctx, row), (row.errorCode as OAuthErrorCode) ?? "server_error") };
    }
    if (Date.now() > deadline) return { kind: "redirect", location: withError(successLocation(ctx, row), "server_error") };
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
  status: 400,
  title: "This connection link is not valid",
  message:
    "We could not find the connection attempt this page belongs to. It may have been mistyped or cut short. Go back to the app you came from and start connecting again.",
});

const otherBrowser = (): CallbackOutcome => ({
  kind: "error_page",
  status: 403,
  title: "This connection was started in another browser",
  message:
    "For your security, a connection started on a Layers connection page can only be finished in the browser where its button was pressed. Finish it there, or go back to the app you came from and start again.",
});
