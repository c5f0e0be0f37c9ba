import { otherMethods } from "@/server/http/requestLog";
import { listSocialAccounts } from "@/server/accounts/service";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { json, withApiKey } from "@/server/http/withApiKey";

// GET /v1/projects/:projectId/social/accounts – the project's connected accounts, a page at a time
export const GET = withApiKey<{ projectId: string }>({ scopes: ["social:read"] }, async ({ req, params, key, services }) => {
  const query = new URL(req.url).searchParams;
  return json(await listSocialAccounts(domainContext(services), keyScope(key), { projectId: params.projectId, limit: query.get("limit"), cursor: query.get("cursor") }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
