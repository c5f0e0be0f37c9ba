import { routes } from "@/server/contract/routes";
import { getAttemptStatus } from "@/server/attempts/report";
import { domainContext } from "@/server/domain/context";
import { keyScope } from "@/server/domain/scope";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

export const GET = route(routes.getOAuthStatus, ({ params, key, services }) => getAttemptStatus(domainContext(services), keyScope(key), params.state));

export const { POST, PUT, PATCH, DELETE } = otherMethods(routes.getOAuthStatus.path);
