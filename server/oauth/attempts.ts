import { createHash } from "node:crypto";
import { and, eq, gt, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { ID_PATTERNS, newStateId } from "@/db/ids";
import { preparedQuery } from "@/db/prepared";
import { idempotencyRecords, oauthStates, type Platform, PLATFORMS, type StateStatus } from "@/db/schema";
import { parseReturnUrl } from "../allowlist/url";
import { AppError, validationError } from "../errors";
import { isReturnUrlAllowed, type VerifiedKey } from "../keys/service";
import { requireActiveProject } from "../projects/service";
import type { ResolvedConfig } from "../secrets";
import type { SecretBox } from "../crypto/secretbox";
import { parseInput } from "../validation";
import { buildAuthorizeUrl } from "./authorizeUrl";
import { codeChallenge, newCodeVerifier } from "./pkce";
import { platformEndpoints, redirectUri } from "./platforms/config";
import { resolveScopes, unknownScopes } from "./scopes";
import { PLATFORM_NAMES, PLATFORM_SCOPES } from "@/server/contract/vocabulary";

export const STATE_TTL_MS = 10 * 60_000;
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export const oauthUrlBody = z
  .strictObject(
    {
      platform: z.enum(PLATFORMS, { message: 'must be "tiktok" or "instagram"' }),
      returnUrl: z.string({ message: "must be a string URL" }).max(2048, "must be at most 2048 characters"),
      scopes: z.array(z.string(), { message: "must be an array of scope names" }).max(20).optional(),
      usageNote: z.string({ message: "must be a string" }).max(500, "must be at most 500 characters").optional(),
    },
    { message: "the body must be a JSON object" },
  )
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

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters");

export interface OAuthUrlResult {
  authorizeUrl: string;
  state: string;
  expiresAt: string;
}

export interface CreateAttemptInput {
  key: VerifiedKey;
  projectId: string;
  /** The parsed JSON body, or `undefined` when the body was not JSON. */
  readBody: () => Promise<unknown>;
  idempotencyKey: string | null;
}

class IdempotencyRace extends Error {}

/**
 * POST /v1/projects/:projectId/social/oauth-url. Checks run in the contract's
 * precedence after auth, scope and rate limit: 404, 400, then 403
 * RETURN_URL_NOT_ALLOWED; then 503 when the platform has no credentials.
 */
export async function createOAuthAttempt(
  db: Db,
  { config, box }: { config: ResolvedConfig; box: SecretBox },
  input: CreateAttemptInput,
): Promise<OAuthUrlResult> {
  const { key } = input;
  const { projectId } = parseInput(z.object({ projectId: z.string().regex(ID_PATTERNS.prj, "must be a project id (prj_...)") }), input);
  await requireActiveProject(db, key.orgId, projectId);
  const rawBody = await input.readBody();

  let fingerprint: string | undefined;
  if (input.idempotencyKey !== null) {
    const idempotencyKey = idempotencyKeySchema.safeParse(input.idempotencyKey);
    if (!idempotencyKey.success) {
      throw validationError([{ path: "Idempotency-Key", message: idempotencyKey.error.issues[0]!.message }]);
    }
    fingerprint = requestFingerprint(projectId, rawBody);
    const replay = await findIdempotentReplay(db, key.id, idempotencyKey.data, fingerprint);
    if (replay) return replay;
  }

  const body = parseInput(oauthUrlBody, rawBody);
  const returnUrl = parseReturnUrl(body.returnUrl);
  if (!returnUrl.ok) throw new Error("unreachable: returnUrl was validated");
  if (!returnUrl.matchKey || !(await isReturnUrlAllowed(db, key.id, returnUrl.matchKey))) {
    throw new AppError(
      "RETURN_URL_NOT_ALLOWED",
      `returnUrl ${returnUrl.matchKey ?? body.returnUrl} is not in this API key's return URL allowlist. Add it via ladmin, then retry.`,
    );
  }

  const livemode = key.mode === "live";
  const endpoints = platformEndpoints(config, body.platform, livemode);
  if (!endpoints.credentials) {
    const vars = body.platform === "tiktok" ? "TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET" : "INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET";
    throw new AppError(
      "PLATFORM_NOT_CONFIGURED",
      `${PLATFORM_NAMES[body.platform]} is not configured on this Layers instance: the operator must set ${vars}. Test-mode keys (lp_test_) use the sandbox instead.`,
    );
  }

  const state = newStateId();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  const scopes = resolveScopes(body.platform, body.scopes);
  const verifier = body.platform === "tiktok" ? newCodeVerifier() : undefined;
  const result: OAuthUrlResult = {
    authorizeUrl: authorizeUrlFor(config, { id: state, platform: body.platform, livemode, scopes }, verifier),
    state,
    expiresAt: expiresAt.toISOString(),
  };

  const row = {
    id: state,
    orgId: key.orgId,
    projectId,
    apiKeyId: key.id,
    platform: body.platform,
    livemode,
    returnUrl: returnUrl.href,
    scopes,
    usageNote: body.usageNote ?? null,
    codeVerifierEnc: verifier ? box.seal(verifier) : null,
    createdAt: now,
    expiresAt,
  };

  if (!fingerprint) {
    await db.insert(oauthStates).values(row);
    return result;
  }
  const idempotencyKey = input.idempotencyKey!;
  try {
    await db.transaction(async (tx) => {
      await tx.insert(oauthStates).values(row);
      await tx
        .delete(idempotencyRecords)
        .where(and(eq(idempotencyRecords.apiKeyId, key.id), eq(idempotencyRecords.key, idempotencyKey), lte(idempotencyRecords.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS))));
      const stored = await tx
        .insert(idempotencyRecords)
        .values({ apiKeyId: key.id, key: idempotencyKey, requestHash: fingerprint, responseStatus: 200, responseBody: result })
        .onConflictDoNothing()
        .returning({ key: idempotencyRecords.key });
      // A concurrent request with the same key won: drop this attempt, answer as it did.
      if (!stored.length) throw new IdempotencyRace();
    });
  } catch (error) {
    if (!(error instanceof IdempotencyRace)) throw error;
    const replay = await findIdempotentReplay(db, key.id, idempotencyKey, fingerprint);
    if (!replay) throw new Error("idempotency record vanished during a race");
    return replay;
  }
  return result;
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

async function findIdempotentReplay(db: Db, apiKeyId: string, idempotencyKey: string, fingerprint: string) {
  const [record] = await db
    .select()
    .from(idempotencyRecords)
    .where(
      and(
        eq(idempotencyRecords.apiKeyId, apiKeyId),
        eq(idempotencyRecords.key, idempotencyKey),
        gt(idempotencyRecords.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS)),
      ),
    )
    .limit(1);
  if (!record) return null;
  if (record.requestHash !== fingerprint) {
    throw new AppError(
      "IDEMPOTENCY_CONFLICT",
      "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
    );
  }
  return record.responseBody as OAuthUrlResult;
}

/** SHA-256 over the project and the body with its keys sorted: formatting does not matter. */
function requestFingerprint(projectId: string, body: unknown): string {
  return createHash("sha256").update(JSON.stringify([projectId, canonical(body)])).digest("hex");
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const attemptForKey = preparedQuery("attempt_for_key", (db) =>
  db
    .select()
    .from(oauthStates)
    .where(and(eq(oauthStates.id, sql.placeholder("id")), eq(oauthStates.apiKeyId, sql.placeholder("apiKeyId"))))
    .limit(1)
    .prepare("attempt_for_key"),
);

export type AttemptStatus = "pending" | "completed" | "failed" | "expired";

/** GET /v1/social/oauth-status/:state. Only the key that created the state sees it. */
export async function getAttemptStatus(db: Db, key: VerifiedKey, stateId: string, now = new Date()) {
  const { state: id } = parseInput(z.object({ state: z.string().regex(ID_PATTERNS.st, "must be a state returned by oauth-url (st_...)") }), { state: stateId });
  const [attempt] = await attemptForKey(db).execute({ id, apiKeyId: key.id });
  if (!attempt) throw new AppError("NOT_FOUND", `No OAuth attempt ${id} was created with this API key.`);
  return serializeAttempt(attempt, now);
}

export function attemptStatus(attempt: { status: StateStatus; expiresAt: Date }, now = new Date()): AttemptStatus {
  if (attempt.status === "completed" || attempt.status === "failed") return attempt.status;
  return attempt.expiresAt <= now ? "expired" : "pending";
}

export function serializeAttempt(attempt: typeof oauthStates.$inferSelect, now = new Date()) {
  const status = attemptStatus(attempt, now);
  return {
    state: attempt.id,
    status,
    platform: attempt.platform,
    projectId: attempt.projectId,
    usageNote: attempt.usageNote,
    ...(status === "completed" && {
      socialAccountId: attempt.socialAccountId,
      grantedScopes: attempt.grantedScopes ?? [],
      missingScopes: attempt.missingScopes ?? [],
    }),
    ...(status === "failed" && { error: { code: attempt.errorCode, message: attempt.errorMessage } }),
    createdAt: attempt.createdAt.toISOString(),
    expiresAt: attempt.expiresAt.toISOString(),
    completedAt: attempt.completedAt?.toISOString() ?? null,
  };
}
