import { routes } from "@/server/contract/routes";
import { getAttemptStatus } from "@/server/attempts/report";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

// GET /v1/social/oauth-status/:state[?wait=N] – the attempt's status; with wait, a long-poll that ends when the client leaves
export const GET = route(routes.getOAuthStatus, ({ signal, params, query, key, services }) =>
  getAttemptStatus(
    domainContext(services),
    keyScope(key),
    { state: params.state, wait: query.getAll("wait") },
    { signal },
  ),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(routes.getOAuthStatus.path);
