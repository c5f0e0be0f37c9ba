import { errorResponse } from "@/server/http/withApiKey";
import { requestIdFrom } from "@/server/http/requestId";
import { AppError } from "@/server/errors";

// Any other /v1 path: the contract's JSON 404, not an HTML page.
function notFound(req: Request) {
  const requestId = requestIdFrom(req.headers);
  const response = errorResponse(new AppError("NOT_FOUND", `No endpoint ${req.method} ${new URL(req.url).pathname}. See the README for the API.`), requestId);
  response.headers.set("X-Request-Id", requestId);
  return response;
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
