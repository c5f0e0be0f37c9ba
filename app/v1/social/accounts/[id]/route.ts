import { otherMethods } from "@/server/http/requestLog";
import { disconnectSocialAccount, getSocialAccount } from "@/server/accounts/service";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { json, withApiKey } from "@/server/http/withApiKey";

// GET /v1/social/accounts/:id – one connected account (never its tokens)
export const GET = withApiKey<{ id: string }>({ scopes: ["social:read"] }, async ({ params, key, services }) =>
  json(await getSocialAccount(domainContext(services), keyScope(key), params.id)),
);

// DELETE /v1/social/accounts/:id – revoke at the platform where it can, delete the tokens
export const DELETE = withApiKey<{ id: string }>({ scopes: ["social:write"] }, async ({ params, key, services }) => {
  await disconnectSocialAccount(domainContext(services), keyScope(key), params.id);
  return new Response(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");
