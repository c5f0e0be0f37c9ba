import { otherMethods } from "@/server/http/requestLog";
import { json, withApiKey } from "@/server/http/withApiKey";
import { getAttemptStatus } from "@/server/oauth/attempts";

// GET /v1/social/oauth-status/:state – the outcome of an OAuth attempt, for the key that started it
export const GET = withApiKey<{ state: string }>({ scopes: ["social:read", "social:write"] }, async ({ params, key, services }) =>
  json(await getAttemptStatus(services.database.db, key, params.state)),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
