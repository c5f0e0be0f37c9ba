import { otherMethods } from "@/server/http/requestLog";
import { readJsonBody } from "@/server/http/body";
import { json, withApiKey } from "@/server/http/withApiKey";
import { createOAuthAttempt } from "@/server/attempts/create";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";

// POST /v1/projects/:projectId/social/oauth-url – an authorize URL and state for one end-customer
export const POST = withApiKey<{ projectId: string }>({ scopes: ["social:write"] }, async ({ req, params, key, services }) =>
  json(
    await createOAuthAttempt(domainContext(services), keyScope(key), {
      projectId: params.projectId,
      readBody: () => readJsonBody(req),
      idempotencyKey: req.headers.get("idempotency-key"),
    }),
  ),
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
