import { routes } from "@/server/contract/routes";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";
import { deleteWebhookEndpoint } from "@/server/webhooks/endpoints";

export const DELETE = route(routes.deleteWebhookEndpoint, async ({ params, key, services }) => {
  await deleteWebhookEndpoint(domainContext(services), keyScope(key), params.id);
  return new Response(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH } = otherMethods(routes.deleteWebhookEndpoint.path);
