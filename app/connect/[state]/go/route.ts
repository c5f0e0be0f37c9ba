import { domainContext } from "@/server/domain/context";
import { hostedErrorPage } from "@/server/hosted/errorPage";
import { pressConnect, pressResponse } from "@/server/hosted/press";
import { withRequestLog } from "@/server/http/requestLog";
import { describeError, log } from "@/server/log";

// POST /connect/:state/go – the hosted connect page's button: binds the attempt to this browser, 303 to the platform
export const POST = withRequestLog<{ state: string }>(
  async (req, params, services) => {
    const h = req.headers;
    const outcome = await pressConnect(domainContext(services), { state: params.state, origin: h.get("origin"), fetchSite: h.get("sec-fetch-site"), cookie: h.get("cookie") });
    return pressResponse(outcome, services.config.publicUrl);
  },
  {
    onError: (error, requestId) => {
      log.error("connect button failed", { requestId, error: describeError(error) });
      return hostedErrorPage("Something went wrong", `Layers could not take you to the platform. Go back to the app you came from and try again. (Reference: ${requestId})`, 500);
    },
  },
);
