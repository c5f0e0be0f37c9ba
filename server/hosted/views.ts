import { eq } from "drizzle-orm";
import { ID_PATTERNS } from "@/db/ids";
import { socialAccounts } from "@/db/schema";
import { attemptStatus } from "../attempts/status";
import { findAttemptWithProject } from "../attempts/store";
import type { DomainContext } from "../domain/context";
import type { OAuthErrorCode } from "../oauth/platforms/types";
import type { ResolvedConfig } from "../secrets";

export { PLATFORM_NAMES } from "@/server/contract/vocabulary";
import { PLATFORM_NAMES } from "@/server/contract/vocabulary";

/** What each `layers_oauth_error` means, in words an end-customer understands. */
export const PLAIN_ERRORS: Record<OAuthErrorCode, string> = {
  access_denied: "you cancelled, or the platform did not allow the connection",
  scope_not_granted: "the basic profile permission was not granted, and it is needed to connect",
  state_expired: "the link expired: connection links are valid for 10 minutes",
  token_exchange_failed: "the platform did not accept the authorization",
  profile_fetch_failed: "the platform did not share the account's profile",
  platform_error: "the platform answered something unexpected",
  server_error: "something went wrong on our side",
};

// The hosted pages hold only the state, like the callback: no scope.
async function loadAttempt(ctx: DomainContext, stateId: string | undefined) {
  if (!stateId || !ID_PATTERNS.st.test(stateId)) return null;
  return (await findAttemptWithProject(ctx, stateId)) ?? null;
}

export type ConnectView =
  | { kind: "unknown" }
  | { kind: "ready"; state: string; platform: string; projectName: string; expiresAt: Date; livemode: boolean }
  | { kind: "expired" | "completed" | "failed"; platform: string; projectName: string };

/**
 * /connect/:state — where an integrator may send the end-customer before the
 * platform. A read and nothing more: it holds no authorize URL and binds no
 * browser, so a link scanner's GET uses up nothing (the button's POST does
 * both, server/hosted/press.ts).
 */
export async function connectView(ctx: DomainContext, stateId: string): Promise<ConnectView> {
  const row = await loadAttempt(ctx, stateId);
  if (!row) return { kind: "unknown" };
  const { attempt, projectName } = row;
  const platform = PLATFORM_NAMES[attempt.platform];
  const status = attemptStatus(attempt);
  if (status !== "pending") return { kind: status, platform, projectName };
  return { kind: "ready", state: attempt.id, platform, projectName, expiresAt: attempt.expiresAt, livemode: attempt.livemode };
}

export type ReturnView =
  | { kind: "unknown" }
  | { kind: "completed"; platform: string; username: string | null; displayName: string | null }
  | { kind: "failed"; platform: string; reason: string }
  | { kind: "pending" | "expired"; platform: string };

/** /connect/return?state= — the outcome in plain words, for integrators without a return page. */
export async function returnView(ctx: DomainContext, stateId: string | undefined): Promise<ReturnView> {
  const row = await loadAttempt(ctx, stateId);
  if (!row) return { kind: "unknown" };
  const { attempt } = row;
  const platform = PLATFORM_NAMES[attempt.platform];
  const status = attemptStatus(attempt);
  if (status === "failed") {
    const code = attempt.errorCode as OAuthErrorCode | null;
    return { kind: "failed", platform, reason: (code && PLAIN_ERRORS[code]) ?? PLAIN_ERRORS.server_error };
  }
  if (status !== "completed" || !attempt.socialAccountId) return { kind: status === "completed" ? "pending" : status, platform };
  const [account] = await ctx.db
    .select({ username: socialAccounts.username, displayName: socialAccounts.displayName })
    .from(socialAccounts)
    .where(eq(socialAccounts.id, attempt.socialAccountId))
    .limit(1);
  return { kind: "completed", platform, username: account?.username ?? null, displayName: account?.displayName ?? null };
}

export const HOSTED_RETURN_PATH = "/connect/return";

/** The hosted connect page of an attempt (the oauth-url answer's connectUrl). */
export const hostedConnectUrl = (config: Pick<ResolvedConfig, "publicUrl">, state: string) => `${config.publicUrl}/connect/${state}`;
