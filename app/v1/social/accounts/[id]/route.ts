import { routes } from "@/server/contract/routes";
import { disconnectSocialAccount, getSocialAccount } from "@/server/accounts/service";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

export const GET = route(routes.getSocialAccount, ({ params, key, services }) => getSocialAccount(domainContext(services), keyScope(key), params.id));

export const DELETE = route(routes.disconnectSocialAccount, async ({ params, key, services }) => {
  await disconnectSocialAccount(domainContext(services), keyScope(key), params.id);
  return new Response(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods(routes.getSocialAccount.path);
