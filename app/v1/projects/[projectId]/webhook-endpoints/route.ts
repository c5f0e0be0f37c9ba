import { routes } from "@/server/contract/routes";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { readJsonBody } from "@/server/http/body";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";
import { createWebhookEndpoint, listWebhookEndpoints } from "@/server/webhooks/endpoints";

// The body is read inside: the contract wants the project's 404 before the body's 400.
export const POST = route(routes.createWebhookEndpoint, ({ req, params, key, services }) =>
  createWebhookEndpoint(domainContext(services), keyScope(key), { projectId: params.projectId, readBody: () => readJsonBody(req) }),
);

export const GET = route(routes.listWebhookEndpoints, ({ params, query, key, services }) =>
  listWebhookEndpoints(domainContext(services), keyScope(key), { projectId: params.projectId, limit: query.get("limit"), cursor: query.get("cursor") }),
);

export const { PUT, PATCH, DELETE } = otherMethods(routes.createWebhookEndpoint.path);
