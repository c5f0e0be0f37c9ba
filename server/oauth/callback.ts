import { ID_PATTERNS } from "@/db/ids";
import { type Platform, PLATFORMS } from "@/db/schema";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";
import { eventTarget, serializeAccount, upsertSocialAccount } from "../accounts/service";
import { bindingAllows } from "../attempts/binding";
import { claimAttempt, reclaimAttempt } from "../attempts/lease";
import { isAbandoned } from "../attempts/status";
import { type AttemptRow, completeAttempt, failAttempt, findAttempt } from "../attempts/store";
import type { AttemptWatch } from "../attempts/wait";
import { recordAudit } from "../audit/record";
import { SEALED } from "../crypto/sealed";
import { type DomainContext, inTransaction } from "../domain/context";
import { keyScope } from "../domain/scope";
import { HOSTED_RETURN_PATH } from "../hosted/views";
import { describeError, log } from "../log";
import { recordEvent } from "../webhooks/events";
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

/**
 * How long a repeated callback waits for a live claim to finish before it
 * shows "try again in a moment": short, since a reload after a crash is
 * served by the lease (server/attempts/lease.ts), not by waiting.
 */
const REPLAY_WAIT_MS = 3_000;

export interface CallbackOptions {
  /** The clock (tests pass a controlled one); the replay's wait is added to it. */
  now?: Date;
  replayWaitMs?: number;
}

/** One callback request: what every step needs to finish it or answer as the attempt stands. */
interface Run {
  ctx: DomainContext;
  query: URLSearchParams;
  clock: () => Date;
  waitMs: number;
}

/**
 * GET /v1/social/oauth/callback/:platform (CONTRACT.md §3). The state is
 * claimed with one conditional UPDATE, so however many callbacks arrive for
 * it, one at a time holds it; a repeated callback redirects the way the
 * first one did and changes nothing. A claim whose callback died is taken
 * over once its lease has run out, so no attempt stays in between.
 *
 * `bindingToken` is the browser's hosted-page cookie (server/attempts/binding.ts).
 */
export async function handleOAuthCallback(
  ctx: DomainContext,
  platformParam: string,
  query: URLSearchParams,
  bindingToken: string | null,
  options: CallbackOptions = {},
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

  const base = options.now ?? new Date();
  const started = Date.now();
  const clock = () => new Date(base.getTime() + (Date.now() - started));
  return settle({ ctx, query, clock, waitMs: options.replayWaitMs ?? REPLAY_WAIT_MS }, attempt);
}

/**
 * Claims the attempt and finishes it, or answers as it stands. Every pass
 * either returns or sees the row move forward (claims are never undone), so
 * the loop ends; only a live claim of another callback makes it wait: for
 * that claim's end to be announced (server/attempts/wait.ts) or its lease to
 * run out, at most `waitMs` in all.
 */
async function settle(run: Run, first: AttemptRow): Promise<CallbackOutcome> {
  const { ctx } = run;
  const deadline = Date.now() + run.waitMs;
  let watch: AttemptWatch | undefined;
  let row: AttemptRow | undefined = first;
  try {
    for (;;) {
      if (!row) return unknownAttempt();
      const now = run.clock();
      if (row.status === "completed") return { kind: "redirect", location: successLocation(ctx, row) };
      if (row.status === "failed") {
        return { kind: "redirect", location: withError(successLocation(ctx, row), (row.errorCode as OAuthErrorCode) ?? "server_error") };
      }
      if (row.status === "pending") {
        // Expired is final: a late callback is told so and changes nothing, so the status stays expired.
        if (row.expiresAt <= now) return { kind: "redirect", location: withError(successLocation(ctx, row), "state_expired") };
        const claimed = await claimAttempt(ctx, row.id, now);
        if (claimed) return finish(run, claimed, false);
      } else if (isAbandoned(row, now)) {
        const claimed = await reclaimAttempt(ctx, row.id, now);
        if (claimed) return finish(run, claimed, true);
      } else {
        const left = deadline - Date.now();
        if (left <= 0) return stillConnecting();
        // The first time, the watch opens and the row is read again below: an end committed before the watch is seen there.
        if (!watch) watch = await ctx.waiters.watch(row.id);
        else if ((await watch.next(Math.min(left, row.leaseExpiresAt!.getTime() - now.getTime() + LEASE_MARGIN_MS))) === "stopped") return stillConnecting();
      }
      row = await findAttempt(ctx, row.id);
    }
  } finally {
    watch?.close();
  }
}

/** Wakes a replay just after the claim's lease runs out, when it may take the claim over. */
const LEASE_MARGIN_MS = 20;

/**
 * Runs the claimed attempt to an outcome. `recovered`: this callback took
 * over a claim whose first callback died. The code may have been spent by
 * then (TikTok's and Instagram's codes are single-use), and a refusal of it
 * is then Layers' fault, not the platform's: it ends server_error, which
 * tells the integrator that starting again will work.
 */
async function finish(run: Run, claimed: AttemptRow, recovered: boolean): Promise<CallbackOutcome> {
  const { platform, id } = claimed;
  try {
    return await complete(run, claimed);
  } catch (error) {
    if (error instanceof PlatformError) {
      log.warn("oauth callback failed at the platform", { state: id, platform, code: error.code, recovered, error: error.message, ...error.detail });
      if (recovered && error.code === "token_exchange_failed") return fail(run, claimed, "server_error", RECOVERED_REFUSAL);
      return fail(run, claimed, error.code, ERROR_MESSAGES[error.code]);
    }
    log.error("oauth callback failed", { state: id, platform, recovered, error: describeError(error) });
    return fail(run, claimed, "server_error", ERROR_MESSAGES.server_error);
  }
}

const RECOVERED_REFUSAL =
  "Layers was interrupted while completing the connection, and the platform no longer accepts its authorization code. Start connecting again.";

async function complete(run: Run, attempt: AttemptRow): Promise<CallbackOutcome> {
  const { ctx, query } = run;
  const platformError = query.get("error");
  if (platformError) {
    const denied = platformError === "access_denied" || query.get("error_reason") === "user_denied";
    const description = (query.get("error_description") ?? "").slice(0, 300);
    return fail(
      run,
      attempt,
      denied ? "access_denied" : "platform_error",
      description ? `${denied ? ERROR_MESSAGES.access_denied : ERROR_MESSAGES.platform_error} (${platformError}: ${description})` : ERROR_MESSAGES[denied ? "access_denied" : "platform_error"],
    );
  }
  const code = query.get("code");
  if (!code) return fail(run, attempt, "platform_error", "The platform sent neither a code nor an error.");

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
    return fail(run, attempt, "scope_not_granted", ERROR_MESSAGES.scope_not_granted, { grantedScopes, missingScopes });
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
    // A lost claim rolls the account back: the attempt already ended otherwise, and that outcome stands.
    if (!(await completeAttempt(tx, attempt, { socialAccountId: account.id, grantedScopes, missingScopes }, run.clock()))) {
      throw new Error("the claim's lease ran out before the attempt completed");
    }
    await recordEvent(tx, eventTarget(account.row), "social_account.connected", {
      ...serializeAccount(account.row),
      state: attempt.id,
      reconnected: !account.created,
      missingScopes,
    });
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
  run: Run,
  attempt: AttemptRow,
  code: OAuthErrorCode,
  message: string,
  scopes: { grantedScopes?: string[]; missingScopes?: string[] } = {},
): Promise<CallbackOutcome> {
  // The claim was lost (its lease ran out): answer as the attempt now stands.
  if (!(await failAttempt(run.ctx, attempt, { errorCode: code, errorMessage: message, ...scopes }, run.clock()))) {
    return settle(run, (await findAttempt(run.ctx, attempt.id))!);
  }
  return { kind: "redirect", location: withError(successLocation(run.ctx, attempt), code) };
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

// Another callback for this attempt (a double click, a reload) is still talking to the platform.
const stillConnecting = (): CallbackOutcome => ({
  kind: "error_page",
  status: 503,
  title: "Still connecting",
  message: "Your account is still being connected. Try again in a moment by reloading this page.",
});

const otherBrowser = (): CallbackOutcome => ({
  kind: "error_page",
  status: 403,
  title: "This connection was started in another browser",
  message:
    "For your security, a connection started on a Layers connection page can only be finished in the browser where its button was pressed. Finish it there, or go back to the app you came from and start again.",
});
