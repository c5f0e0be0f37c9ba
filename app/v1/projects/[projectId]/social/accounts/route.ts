import { routes } from "@/server/contract/routes";
import { listSocialAccounts } from "@/server/accounts/service";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

// The query is checked inside, after the project's 404 (the contract's precedence).
export const GET = route(routes.listSocialAccounts, ({ params, query, key, services }) =>
  listSocialAccounts(domainContext(services), keyScope(key), { projectId: params.projectId, limit: query.get("limit"), cursor: query.get("cursor") }),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(routes.listSocialAccounts.path);
