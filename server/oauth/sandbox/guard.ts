import { clientAddress } from "../../http/clientAddress";
import { BodyTooLargeError } from "../../http/limitedBody";
import { throttledFaultLog } from "../../log";
import { parseBudget } from "../../ratelimit/budget";
import { getServices, type Services } from "../../services";
import { SANDBOX_MAX_BODY_BYTES, sandboxErrorPage } from "./http";
import { graphError, oauthException } from "./instagram";
import { apiError, oauthError } from "./tiktok";

/**
 * What every sandbox route handler does before the platform logic: 404 when
 * LAYERS_SANDBOX=off, then a per-address budget, then the handler, whose
 * oversized bodies become 413. Refusals come in the dialect of the endpoint
 * they stand in for, so adapters meet the sandbox's limits the way they
 * would meet the platform's.
 */

/**
 * One budget per client address across the sandbox's endpoints. Its size is
 * set by this instance's own traffic: the token and profile calls of every
 * test-mode connection come from the Layers server itself, 2 or 3 per
 * connection, so one integrator at its full default write budget (60
 * attempts a minute) needs ~180 a minute from that one address. 300 leaves
 * room for that and the refresh sweep, while a single outside address
 * spraying codes or tokens is held to 5 a second.
 */
export const SANDBOX_BUDGET = parseBudget("300/60s")!;

/** Whose wire format a refusal takes. */
export type SandboxDialect =
  /** TikTok /v2/oauth/token/ and /v2/oauth/revoke/: `{"error","error_description","log_id"}`. */
  | "tiktok-oauth"
  /** TikTok /v2/user/info/: `{"data":{},"error":{"code","message","log_id"}}`. */
  | "tiktok-api"
  /** api.instagram.com/oauth/access_token: the flat `{"error_type","code","error_message"}`. */
  | "instagram-oauth"
  /** graph.instagram.com: `{"error":{"message","type","code","fbtrace_id"}}`. */
  | "instagram-graph"
  /** The consent page's forms (consent, revoke access), posted by a browser: the sandbox's own HTML page. */
  | "consent";

const KIB = SANDBOX_MAX_BODY_BYTES / 1024;
const tooLargeText = `The request body is larger than ${KIB} KiB.`;

function throttled(dialect: SandboxDialect, retryAfter: number): Response {
  const wait = `Too many requests from this address: retry in ${retryAfter} s.`;
  switch (dialect) {
    case "tiktok-oauth":
      return oauthError("rate_limit_exceeded", wait, 429);
    case "tiktok-api":
      return apiError(429, "rate_limit_exceeded", wait);
    case "instagram-oauth":
      return oauthException(`Application request limit reached. ${wait}`, 429);
    case "instagram-graph":
      // Code 4 is Graph's application-level throttle; the adapters treat 4/17 and HTTP 429 as transient.
      return graphError({ message: `(#4) Application request limit reached. ${wait}`, code: 4, status: 429 });
    case "consent":
      return sandboxErrorPage("Too many requests", [`${wait}`], 429);
  }
}

function tooLarge(dialect: SandboxDialect): Response {
  switch (dialect) {
    case "tiktok-oauth":
      return oauthError("invalid_request", tooLargeText, 413);
    case "instagram-oauth":
      return oauthException(tooLargeText, 413);
    case "consent":
      return sandboxErrorPage("This form is too large", [tooLargeText], 413);
    // These endpoints take GETs and never read a body; a plain answer is enough should one ever do so.
    case "tiktok-api":
    case "instagram-graph":
      return new Response(tooLargeText, { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

const notFound = () => new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

const logLimiterFault = throttledFaultLog("sandbox rate limit store unavailable; sandbox requests pass unlimited");

/**
 * Seconds until the address may send again, or null to go ahead. The
 * sandbox fails open when the limiter cannot answer: it is a test tool that
 * holds no real account, and a Redis outage should not also break every
 * integrator's test-mode flow (sign-in, which guards real accounts, fails
 * closed instead).
 */
async function retryAfter(services: Services, req: Request): Promise<number | null> {
  const address = clientAddress(req.headers, services.config.trustedProxyHops);
  try {
    const decision = await services.limiter.limit(`sandbox:${address}`, SANDBOX_BUDGET);
    if (decision.success) return null;
    // Wall time, not services.clock: the limiter's windows (Redis's) run on wall time, and so does Retry-After.
    return Math.max(1, Math.ceil((decision.resetMs - Date.now()) / 1000));
  } catch (error) {
    logLimiterFault(error, { backend: services.limiter.backend });
    return null;
  }
}

type SandboxHandler<C> = (services: Services, req: Request, ctx: C) => Promise<Response>;

/** A throttled sandbox endpoint (token, revoke, profile, consent, revoke access). */
export function sandboxRoute<C>(dialect: SandboxDialect, handler: SandboxHandler<C>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    const services = await getServices();
    if (!services.config.sandbox) return notFound();
    const wait = await retryAfter(services, req);
    if (wait !== null) {
      const response = throttled(dialect, wait);
      response.headers.set("Retry-After", String(wait));
      return response;
    }
    try {
      return await handler(services, req, ctx);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return tooLarge(dialect);
      throw error;
    }
  };
}

/**
 * A sandbox endpoint that only needs switching off: the avatars are pure
 * computation (no database), cached by browsers, and loaded by console
 * pages in bulk, so a budget would only get in the way.
 */
export function sandboxOnly<C>(handler: (req: Request, ctx: C) => Promise<Response> | Response) {
  return async (req: Request, ctx: C): Promise<Response> => {
    const services = await getServices();
    if (!services.config.sandbox) return notFound();
    return handler(req, ctx);
  };
}
