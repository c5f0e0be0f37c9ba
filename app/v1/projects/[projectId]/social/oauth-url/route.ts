import { routes } from "@/server/contract/routes";
import { createOAuthAttempt } from "@/server/attempts/create";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { readJsonBody } from "@/server/http/body";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

// The body is read inside: the contract wants the project's 404 before the body's 400.
export const POST = route(routes.createOAuthUrl, ({ req, params, key, services }) =>
  createOAuthAttempt(domainContext(services), keyScope(key), {
    projectId: params.projectId,
    readBody: () => readJsonBody(req),
    idempotencyKey: req.headers.get("idempotency-key"),
  }),
);

export const { GET, PUT, PATCH, DELETE } = otherMethods(routes.createOAuthUrl.path);
