import { otherMethods, withRequestLog } from "@/server/http/requestLog";
import { domainContext } from "@/server/domain/context";
import { hostedErrorPage } from "@/server/hosted/errorPage";
import { log } from "@/server/log";
import { handleOAuthCallback } from "@/server/oauth/callback";

// GET /v1/social/oauth/callback/:platform – the platform sends the end-customer's browser here after consent
export const GET = withRequestLog<{ platform: string }>(
  async (req, { platform }, services) => {
    const outcome = await handleOAuthCallback(domainContext(services), platform, new URL(req.url).searchParams);
    if (outcome.kind === "error_page") return hostedErrorPage(outcome.title, outcome.message);
    return new Response(null, { status: 303, headers: { Location: outcome.location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
  },
  {
    // A browser is on the other end: an HTML page, not a JSON body.
    onError: (error, requestId) => {
      log.error("oauth callback crashed", { requestId, error: String(error) });
      return hostedErrorPage("Something went wrong", `Layers could not finish connecting your account. Go back to the app you came from and try again. (Reference: ${requestId})`, 500);
    },
  },
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
