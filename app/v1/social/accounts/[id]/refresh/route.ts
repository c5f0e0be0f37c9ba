import { routes } from "@/server/contract/routes";
import { refreshSocialAccount } from "@/server/accounts/refreshNow";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

// POST /v1/social/accounts/:id/refresh: the platform tokens refreshed now.
export const POST = route(routes.refreshSocialAccount, ({ params, key, services }) =>
  refreshSocialAccount(domainContext(services), keyScope(key), params.id),
);

export const { GET, PUT, PATCH, DELETE } = otherMethods(routes.refreshSocialAccount.path);
