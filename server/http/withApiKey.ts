import { AppError, type ErrorCode, isDatabaseUnavailable } from "../errors";
import { touchLastUsed, verifyApiKey, type VerifiedKey } from "../keys/service";
import { type ApiScope, hasAnyScope } from "../keys/scopes";
import { describeError, log } from "../log";
import { parseBudget } from "../ratelimit/budget";
import type { RateDecision } from "../ratelimit";
import { getServices, type Services } from "../services";
import { requestIdFrom } from "./requestId";

export interface ApiPolicy {
  /** The key needs at least one of these scopes. */
  scopes: readonly ApiScope[];
}

export interface ApiContext<P> {
  req: Request;
  params: P;
  key: VerifiedKey;
  services: Services;
  requestId: string;
}

type RouteContext<P> = { params: Promise<P> };

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
export function withApiKey<P>(policy: ApiPolicy, handler: (ctx: ApiContext<P>) => Promise<Response>) {
  return async (req: Request, route: RouteContext<P>): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = requestIdFrom(req.headers);
    const headers = new Headers({ "X-Request-Id": requestId, "Cache-Control": "no-store" });
    let keyId: string | undefined;
    let response: Response;
    try {
      const services = await getServices();
      const key = await authenticate(services, req);
      keyId = key.id;
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
      response = await handler({ req, params: await route.params, key, services, requestId });
    } catch (error) {
      response = errorResponse(error, requestId, { keyId, path: new URL(req.url).pathname });
    }
    for (const [name, value] of headers) response.headers.set(name, value);
    log.info("request", {
      requestId,
      method: req.method,
      route: new URL(req.url).pathname,
      status: response.status,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      keyId: keyId ?? null,
    });
    return response;
  };
}

async function authenticate(services: Services, req: Request): Promise<VerifiedKey> {
  const header = req.headers.get("authorization");
  if (!header) throw new AppError("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGES.MISSING);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGES.MALFORMED);
  const verification = await verifyApiKey(services.database.db, match[1]!);
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

function setRateLimitHeaders(headers: Headers, decision: RateDecision) {
  headers.set("X-RateLimit-Limit", String(decision.limit));
  headers.set("X-RateLimit-Remaining", String(decision.remaining));
  headers.set("X-RateLimit-Reset", String(Math.ceil(decision.resetMs / 1000)));
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** The contract's error body. Unknown faults are logged with the request id and told apart from nothing. */
export function errorResponse(error: unknown, requestId: string, context: Record<string, unknown> = {}): Response {
  let appError: AppError;
  if (error instanceof AppError) appError = error;
  else if (isDatabaseUnavailable(error)) {
    log.error("database unavailable", { requestId, ...context, error: describeError(error) });
    appError = new AppError("UNAVAILABLE", "The service is temporarily unavailable. Retry shortly.", { retryAfterSeconds: 5 });
  } else {
    log.error("unhandled error", { requestId, ...context, error: describeError(error), stack: error instanceof Error ? error.stack : undefined });
    appError = new AppError("INTERNAL", `Something went wrong on our side. Quote request id ${requestId} if you contact support.`);
  }
  const body: { error: { code: ErrorCode; message: string; requestId: string; issues?: unknown } } = {
    error: { code: appError.code, message: appError.message, requestId },
  };
  if (appError.code === "VALIDATION") body.error.issues = appError.extra.issues ?? [];
  const response = Response.json(body, { status: appError.status });
  if (appError.extra.retryAfterSeconds) response.headers.set("Retry-After", String(appError.extra.retryAfterSeconds));
  return response;
}
