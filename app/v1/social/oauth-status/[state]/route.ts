import { otherMethods } from "@/server/http/requestLog";
import { json, withApiKey } from "@/server/http/withApiKey";
import { getAttemptStatus } from "@/server/attempts/report";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";

// GET /v1/social/oauth-status/:state – the outcome of an OAuth attempt, for the key that started it
export const GET = withApiKey<{ state: string }>({ scopes: ["social:read", "social:write"] }, async ({ params, key, services }) =>
  json(await getAttemptStatus(domainContext(services), keyScope(key), params.state)),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
