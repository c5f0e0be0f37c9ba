import { z } from "zod";
import { newStateId } from "@/db/ids";
import type { Platform } from "@/db/schema";
import { oauthUrlRequest } from "@/server/contract/api";
import { ids } from "@/server/contract/ids";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";
import { parseReturnUrl } from "../allowlist/url";
import { SEALED } from "../crypto/sealed";
import type { DomainContext } from "../domain/context";
import type { KeyScope } from "../domain/scope";
import { AppError } from "../errors";
import { isReturnUrlAllowed, returnUrlRefusal } from "../keys/service";
import { hostedConnectUrl } from "../hosted/views";
import { buildAuthorizeUrl } from "../oauth/authorizeUrl";
import { codeChallenge, newCodeVerifier } from "../oauth/pkce";
import { platformEndpoints, redirectUri } from "../oauth/platforms/config";
import { resolveScopes, unknownScopes } from "../oauth/scopes";
import { requireActiveProject } from "../projects/service";
import type { ResolvedConfig } from "../secrets";
import { parseInput } from "../validation";
import { findReplay, idempotentRequest, writeOnce } from "./idempotency";
import { insertAttempt } from "./store";

// Input schemas are made once: zod compiles each new object schema on its first parse (about 0.2 ms).
const projectIdInput = z.object({ projectId: ids.prj });

export const STATE_TTL_MS = 10 * 60_000;

export const oauthUrlBody = oauthUrlRequest
  .superRefine((body, ctx) => {
    const returnUrl = parseReturnUrl(body.returnUrl);
    if (!returnUrl.ok) ctx.addIssue({ code: "custom", path: ["returnUrl"], message: returnUrl.reason });
    const unknown = body.scopes ? unknownScopes(body.platform, body.scopes) : [];
    if (unknown.length) {
      ctx.addIssue({
        code: "custom",
        path: ["scopes"],
        message: `unknown ${body.platform} scope(s): ${unknown.join(", ")}; known: ${PLATFORM_SCOPES[body.platform].known.join(", ")}`,
      });
    }
  });

export type OAuthUrlBody = z.infer<typeof oauthUrlBody>;

export interface OAuthUrlResult {
  authorizeUrl: string;
  state: string;
  expiresAt: string;
  connectUrl: string;
}

export interface CreateAttemptInput {
  projectId: string;
  /** The parsed JSON body, or `undefined` when the body was not JSON. */
  readBody: () => Promise<unknown>;
  idempotencyKey: string | null;
}

/**
 * POST /v1/projects/:projectId/social/oauth-url. Checks run in the contract's
 * precedence after auth, scope and rate limit: 404, 400, then 403
 * RETURN_URL_NOT_ALLOWED; then 503 when the platform has no credentials.
 */
export async function createOAuthAttempt(ctx: DomainContext, scope: KeyScope, input: CreateAttemptInput): Promise<OAuthUrlResult> {
  const projectId = parseInput(projectIdInput, input).projectId;
  await requireActiveProject(ctx, scope, projectId);
  const rawBody = await input.readBody();
  // The body is checked before it is fingerprinted: a replay's body passed the
  // same checks the first time, and nothing unchecked reaches the hash.
  const body = parseInput(oauthUrlBody, rawBody);

  const idempotent = input.idempotencyKey === null ? null : idempotentRequest(input.idempotencyKey, projectId, rawBody);
  if (idempotent) {
    const replay = await findReplay<OAuthUrlResult>(ctx, scope, idempotent);
    // Answers stored before connectUrl existed get it too: it follows from the state.
    if (replay) return { ...replay, connectUrl: hostedConnectUrl(ctx.config, replay.state) };
  }

  const returnUrl = parseReturnUrl(body.returnUrl);
  if (!returnUrl.ok) throw new Error("unreachable: returnUrl was validated");
  if (!returnUrl.matchKey || !(await isReturnUrlAllowed(ctx, scope, returnUrl.matchKey))) {
    throw new AppError("RETURN_URL_NOT_ALLOWED", await returnUrlRefusal(ctx, scope, body.returnUrl, returnUrl.matchKey));
  }

  const livemode = scope.mode === "live";
  const endpoints = platformEndpoints(ctx.config, body.platform, livemode);
  // platformEndpoints knows why there are none (live credentials unset, or LAYERS_SANDBOX=off) and words it.
  if (!endpoints.credentials) throw new AppError("PLATFORM_NOT_CONFIGURED", endpoints.notConfigured!);

  const state = newStateId();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  const scopes = resolveScopes(body.platform, body.scopes);
  const verifier = body.platform === "tiktok" ? newCodeVerifier() : undefined;
  const result: OAuthUrlResult = {
    authorizeUrl: authorizeUrlFor(ctx.config, { id: state, platform: body.platform, livemode, scopes }, verifier),
    state,
    expiresAt: expiresAt.toISOString(),
    connectUrl: hostedConnectUrl(ctx.config, state),
  };
  const row = {
    id: state,
    orgId: scope.orgId,
    projectId,
    apiKeyId: scope.actor.id,
    platform: body.platform,
    livemode,
    returnUrl: returnUrl.href,
    scopes,
    usageNote: body.usageNote ?? null,
    codeVerifierEnc: verifier ? ctx.box.seal(verifier, SEALED.codeVerifier.at(state)) : null,
    createdAt: now,
    expiresAt,
  };

  if (!idempotent) {
    await insertAttempt(ctx, row);
    return result;
  }
  return writeOnce(ctx, scope, idempotent, result, (tx) => insertAttempt(tx, row));
}

/**
 * The platform authorize URL of an attempt. Rebuilt from the stored row (the
 * hosted connect page needs it again): the PKCE challenge is derived from the
 * sealed verifier, so nothing about the URL has to be stored twice.
 */
export function authorizeUrlFor(
  config: ResolvedConfig,
  attempt: { id: string; platform: Platform; livemode: boolean; scopes: string[] },
  codeVerifier: string | undefined,
): string {
  const endpoints = platformEndpoints(config, attempt.platform, attempt.livemode);
  if (!endpoints.credentials) throw new Error(`${attempt.platform} has no credentials configured`);
  return buildAuthorizeUrl({
    platform: attempt.platform,
    authorizeUrl: endpoints.authorizeUrl,
    clientId: endpoints.credentials.clientId,
    redirectUri: redirectUri(config, attempt.platform),
    scopes: attempt.scopes,
    state: attempt.id,
    codeChallenge: codeVerifier && codeChallenge(codeVerifier),
  });
}
