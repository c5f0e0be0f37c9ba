import { AppError } from "@/server/errors";
import { withRequestLog } from "@/server/http/requestLog";

// Any other /v1 path: the contract's JSON 404, not an HTML page.
const notFound = withRequestLog(async (req, _params, _services, { url }) => {
  throw new AppError("NOT_FOUND", `No endpoint ${req.method} ${url.pathname}. See the README for the API.`);
});

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
