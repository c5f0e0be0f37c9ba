import { openApiText } from "@/server/contract/openapi";
import { routes } from "@/server/contract/routes";
import { otherMethods } from "@/server/http/requestLog";
import { route } from "@/server/http/route";

// No key: the description of the API is public, like the README.
export const GET = route(
  routes.openApiDocument,
  async () => new Response(openApiText(), { headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300" } }),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(routes.openApiDocument.path);
