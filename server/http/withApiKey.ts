import { AppError } from "../errors";
import { touchLastUsed, verifyApiKey, type VerifiedKey } from "../keys/verify";
import { type ApiScope, hasAnyScope } from "../keys/scopes";
import { parseBudget } from "../ratelimit/budget";
import type { RateDecision } from "../ratelimit";
import type { Services } from "../services";
import type { Answer, ApiRequest } from "./answer";
import { parseBearer } from "./bearer";
import { withRequestLog } from "./requestLog";

export interface ApiPolicy {
  /** The key needs at least one of these scopes. */
  scopes: readonly ApiScope[];
}

export interface ApiContext<P> {
  req: ApiRequest;
  /** The request's URL, parsed once. */
  url: URL;
  params: P;
  key: VerifiedKey;
  services: Services;
  requestId: string;
  signal: AbortSignal;
}

const UNAUTHENTICATED_MESSAGES = {
  MISSING: "Send your API key as `Authorization: Bearer lp_live_...` (or lp_test_...).",
  MALFORMED: "The API key is malformed: expected lp_live_<id>_<secret> or lp_test_<id>_<secret>.",
  UNKNOWN: "The API key is not valid. Check that you copied the whole key.",
  REVOKED: "This API key has been revoked. Create a new key with ladmin or in the console.",
  EXPIRED: "This API key has expired. Create a new key with ladmin or in the console.",
} as const;

/**
 * Every public REST route goes through here: request id → Bearer parse →
 * verify → scope → rate limit → handler → error body → one log line. The
 * order is the contract's precedence for 401, 403 FORBIDDEN_SCOPE and 429;
 * the handler decides 404, 400 and the rest.
 */
export function withApiKey<P>(policy: ApiPolicy, handler: (ctx: ApiContext<P>) => Promise<Answer>) {
  return withRequestLog<P>(async (req, params, services, { requestId, url, headers, setKeyId, signal }) => {
    headers["cache-control"] = "no-store";
    const key = await authenticate(services, req);
    setKeyId(key.id);
    if (!hasAnyScope(key.scopes, policy.scopes)) {
      throw new AppError(
        "FORBIDDEN_SCOPE",
        `This API key lacks the ${policy.scopes.join(" or ")} scope this endpoint needs. Create a key with it via ladmin or the console.`,
      );
    }
    const decision = await rateLimit(services, key, req.method);
    setRateLimitHeaders(headers, decision);
    if (!decision.success) {
      const retryAfter = Math.max(1, Math.ceil((decision.resetMs - Date.now()) / 1000));
      throw new AppError("RATE_LIMITED", `This key's ${isWrite(req.method) ? "write" : "read"} budget is exhausted. Retry in ${retryAfter} s.`, {
        retryAfterSeconds: retryAfter,
      });
    }
    touchLastUsed(services.database.db, key);
    return handler({ req, url, params, key, services, requestId, signal });
  });
}

async function authenticate(services: Services, req: ApiRequest): Promise<VerifiedKey> {
  const credential = parseBearer(req.headers);
  if (credential.kind === "missing") throw new AppError("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGES.MISSING);
  if (credential.kind === "malformed") throw new AppError("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGES.MALFORMED);
  const verification = await verifyApiKey(services.database.db, credential.token);
  if (!verification.valid) throw new AppError("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGES[verification.code]);
  return verification.key;
}

const isWrite = (method: string) => method !== "GET" && method !== "HEAD";

function rateLimit(services: Services, key: VerifiedKey, method: string): Promise<RateDecision> {
  const write = isWrite(method);
  const own = write ? key.writeLimit : key.readLimit;
  const budget = (own && parseBudget(own)) || (write ? services.config.writeLimit : services.config.readLimit);
  return services.limiter.limit(`${key.id}:${write ? "w" : "r"}`, budget);
}

function setRateLimitHeaders(headers: Record<string, string>, decision: RateDecision) {
  // A decision that failed open counted nothing: numbers sent then would be made up.
  if (decision.failedOpen) return;
  headers["x-ratelimit-limit"] = String(decision.limit);
  headers["x-ratelimit-remaining"] = String(decision.remaining);
  headers["x-ratelimit-reset"] = String(Math.ceil(decision.resetMs / 1000));
}

