import { z } from "zod";
import { ERROR_STATUS, errorBody } from "@/server/contract/errors";
import { findRoute, type RouteSpec } from "@/server/contract/routes";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/**
 * The contract test: an answer from a route in the table must have a status
 * the table declares for that route, and the shape the table (and so the
 * OpenAPI document, generated from it) gives that status. Throws, so the
 * test that made the request fails. Paths outside the table are not checked.
 */
export function checkAnswer(method: string, pathname: string, answer: Answer): void {
  const route = findRoute(method, pathname);
  if (!route) return;
  const where = `${method} ${pathname} answered ${answer.status}`;
  const type = answer.headers.get("content-type") ?? "";
  const spec = route.responses[answer.status];
  if (spec) {
    switch (spec.content) {
      case "json":
        if (!type.startsWith("application/json")) throw new Error(`${where} as ${type || "no content type"}; the route table says JSON`);
        return matches(where, spec.schema, answer.body);
      case "html":
        if (!type.startsWith("text/html")) throw new Error(`${where} as ${type || "no content type"}; the route table says an HTML page`);
        return;
      case "redirect":
        if (!answer.headers.get("location")) throw new Error(`${where} without a Location; the route table says a redirect`);
        return;
      case "empty":
        if (answer.text !== "") throw new Error(`${where} with a body; the route table says none`);
        return;
    }
  }
  const codes = route.errors.filter((code) => ERROR_STATUS[code] === answer.status);
  if (!codes.length) throw new Error(`${where}, a status the route table does not declare for ${route.id} (it declares ${declared(route)})`);
  if (!type.startsWith("application/json")) throw new Error(`${where} as ${type || "no content type"}; errors are the JSON error body`);
  matches(where, errorBody, answer.body);
  const code = (answer.body as z.infer<typeof errorBody>).error.code;
  if (!(codes as string[]).includes(code)) throw new Error(`${where} with ${code}, which the route table does not list for ${route.id} at ${answer.status} (${codes.join(", ")})`);
}

function matches(where: string, schema: z.ZodType, body: unknown) {
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${where} with a body the route table's schema refuses:\n${z.prettifyError(result.error)}\n${JSON.stringify(body)}`);
}

function declared(route: RouteSpec): string {
  const statuses = new Set([...Object.keys(route.responses).map(Number), ...route.errors.map((code) => ERROR_STATUS[code])]);
  return [...statuses].sort().join(", ");
}
