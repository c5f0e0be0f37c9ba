import { NextResponse, type NextRequest } from "next/server";
import { AppError, errorBodyOf } from "@/server/errors";
import { jsonText } from "@/server/http/jsonText";
import { logRoute } from "@/server/http/logRoute";
import { requestIdFrom } from "@/server/http/requestId";
import { log } from "@/server/log";
import { v1Refusal } from "@/server/http/v1Guard";

/**
 * Under `next start` (no front), the /v1 requests no route handler can answer
 * get the contract's JSON error body here instead of Next's HTML 404. Under
 * `npm start`, /v1 never reaches Next: the front (server/http/v1Front.ts)
 * applies the same rule, which also covers what Next rejects before proxy runs: under bare
 * `next start`, TRACE is still Next's own text 500 (checked by hand with
 * Next 16.4); malformed paths, OPTIONS, /v1, /V1 and trailing slashes do reach here.
 */
export function proxy(request: NextRequest) {
  const refusal = v1Refusal(request.method, new URL(request.url).pathname);
  if (!refusal) return NextResponse.next();
  const requestId = requestIdFrom(request.headers);
  const body = errorBodyOf(new AppError(refusal.code, refusal.message, { issues: refusal.issues }), requestId);
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Request-Id": requestId, "Cache-Control": "no-store" };
  if (refusal.allow) headers.Allow = refusal.allow;
  // One log line, as the front writes for its refusals (no handler runs to write one).
  log.info("request", { requestId, method: request.method.slice(0, 20), route: logRoute(request.nextUrl.pathname), status: refusal.status, durationMs: 0 });
  return new NextResponse(jsonText(body), { status: refusal.status, headers });
}

// Requests without a body, anywhere; and /v1 requests with one except the
// one route that reads a body (POST oauth-url, with a well-formed project id).
// A proxy makes Next buffer the whole request body before the route handler
// runs, which would undo that route's byte limit (a declared-but-unsent 1 MB
// body would hold the request open), and the console's bodies (tRPC,
// next-auth, server actions) likewise never pass here. The /v1 bodies that do
// are bound for a refusal or for a route that ignores them; under bare
// `next start` they are buffered first, which the front never does.
export const config = {
  matcher: [
    {
      source: "/:path*",
      missing: [
        { type: "header", key: "content-length" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
    "/((?![vV]1/projects/prj_[0-9A-Za-z]+/social/oauth-url$)[vV]1(?:/.*)?)",
  ],
};
