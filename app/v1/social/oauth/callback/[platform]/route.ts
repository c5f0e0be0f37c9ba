import { readBindingToken } from "@/server/attempts/binding";
import { routes } from "@/server/contract/routes";
import { domainContext } from "@/server/domain/context";
import { AppError, isDatabaseUnavailable, stackFrames } from "@/server/errors";
import { hostedErrorPage } from "@/server/hosted/errorPage";
import { tryAgainPage } from "@/server/hosted/tryAgainPage";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";
import { describeError, log } from "@/server/log";
import { handleOAuthCallback } from "@/server/oauth/callback";

// The platform sends the end-customer's browser here: it gets a redirect or an HTML page, never JSON.
export const GET = route(
  routes.oauthCallback,
  async ({ req, params, query, services }) => {
    const bindingToken = readBindingToken(req.headers.get("cookie"), services.config.publicUrl);
    const outcome = await handleOAuthCallback(domainContext(services), params.platform, query, bindingToken);
    if (outcome.kind === "error_page") return hostedErrorPage(outcome.title, outcome.message, outcome.status);
    return new Response(null, { status: 303, headers: { Location: outcome.location, "Cache-Control": "no-store" } });
  },
  {
    onError: (error, requestId) => {
      // A NUL in the query (refused by route()) is a link nobody sent: the same page as an unknown state.
      if (error instanceof AppError && error.code === "VALIDATION") {
        return hostedErrorPage(
          "This connection link is not valid",
          "We could not find the connection attempt this page belongs to. Go back to the app you came from and start connecting again.",
          400,
        );
      }
      // A database outage decided nothing: the attempt is still pending (or its lease runs out), so a reload completes it.
      if (isDatabaseUnavailable(error)) {
        log.error("database unavailable", { requestId, route: "oauthCallback", error: describeError(error) });
        return tryAgainPage();
      }
      log.error("oauth callback crashed", { requestId, error: describeError(error), stack: stackFrames(error) });
      return hostedErrorPage("Something went wrong", `Layers could not finish connecting your account. Go back to the app you came from and try again. (Reference: ${requestId})`, 500);
    },
  },
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(routes.oauthCallback.path);
