import { routes } from "@/server/contract/routes";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";
import { sendTestWebhook } from "@/server/webhooks/endpoints";

export const POST = route(routes.testWebhookEndpoint, ({ params, key, services }) => sendTestWebhook(domainContext(services), keyScope(key), params.id));

export const { GET, PUT, PATCH, DELETE } = otherMethods(routes.testWebhookEndpoint.path);
