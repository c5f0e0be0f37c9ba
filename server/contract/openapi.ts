import { z } from "zod";
import { API_COMPONENTS } from "./api";
import { ERROR_STATUS, type ErrorCode, errorBody } from "./errors";
import { ROUTES, type ResponseSpec, type RouteSpec } from "./routes";
import { API_SCOPES, type ApiScope } from "./vocabulary";

/**
 * The OpenAPI 3.1 document, generated from the route table with zod 4's own
 * `z.toJSONSchema`: OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod
 * emits natively, so the table stays plain zod and no second library (with
 * its own zod extension to keep in step) sits between the schemas the
 * server validates with and the document.
 */
type Json = Record<string, unknown>;

const ERROR_WHEN: Record<ErrorCode, string> = {
  VALIDATION: "the body, path or query is malformed (see `issues`)",
  UNAUTHENTICATED: "missing, malformed, unknown, revoked or expired key",
  FORBIDDEN_SCOPE: "the key lacks the scope this endpoint needs",
  RETURN_URL_NOT_ALLOWED: "returnUrl is not in this key's allowlist",
  NOT_FOUND: "not in the key's organization and mode",
  METHOD_NOT_ALLOWED: "the path does not serve this method",
  IDEMPOTENCY_CONFLICT: "the Idempotency-Key was used with a different body",
  NEEDS_REAUTH: "the platform refused for good: the end-customer must reconnect",
  PAYLOAD_TOO_LARGE: "the request body is over 64 KiB",
  RATE_LIMITED: "the key's budget is exhausted; retry after Retry-After seconds",
  INTERNAL: "anything else; quote the requestId",
  PLATFORM_NOT_CONFIGURED: "the platform's credentials are not set on this instance",
  UNAVAILABLE: "the database is down, or (on a refresh) the platform did not answer; retry after Retry-After seconds",
};

const SCOPE_WHAT: Record<ApiScope, string> = {
  "social:write": "create authorize URLs, refresh and disconnect accounts",
  "social:read": "read attempts and accounts",
  "webhooks:write": "create, rotate, test and delete webhook endpoints",
  "webhooks:read": "list webhook endpoints",
};

// zod writes a long regex beside `format: date-time`; the format says it.
const override = ({ jsonSchema }: { jsonSchema: Json }) => {
  if (jsonSchema.format === "date-time") delete jsonSchema.pattern;
};

function bare(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Named components: responses converted as the server writes them, the request body as a caller may send it. */
function components(): { schemas: Record<string, Json>; refs: Map<z.ZodType, string> } {
  const outputs = z.registry<{ id: string }>();
  const inputs = z.registry<{ id: string }>();
  const refs = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries({ ...API_COMPONENTS, Error: errorBody })) {
    (id.endsWith("Request") ? inputs : outputs).add(schema, { id });
    refs.set(schema, id);
  }
  const uri = (id: string) => `#/components/schemas/${id}`;
  const schemas: Record<string, Json> = {};
  for (const [registry, io] of [[outputs, "output"], [inputs, "input"]] as const) {
    const converted = z.toJSONSchema(registry, { uri, io, override, unrepresentable: "any" }).schemas as Record<string, Json>;
    for (const [id, schema] of Object.entries(converted)) schemas[id] = bare(schema);
  }
  return { schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))), refs };
}

function parameters(route: RouteSpec, convert: (schema: z.ZodType, io: "input") => Json): Json[] {
  const groups = [
    ["path", route.params],
    ["query", route.query],
    ["header", route.headers],
  ] as const;
  return groups.flatMap(([where, object]) =>
    Object.entries(object?.shape ?? {}).map(([name, field]) => {
      const { description, ...schema } = convert(field as z.ZodType, "input");
      const required = where === "path" || !(field as z.ZodType).safeParse(undefined).success;
      return { name, in: where, required, ...(description ? { description } : {}), schema };
    }),
  );
}

const HEADERS = {
  RequestId: { description: "The request's id (a valid incoming X-Request-Id is reused).", schema: { type: "string" } },
  RateLimitLimit: {
    description: "The key's budget for this kind of request (reads or writes). The X-RateLimit-* headers are absent while the rate-limit store is unavailable and requests pass unlimited.",
    schema: { type: "integer" },
  },
  RateLimitRemaining: { description: "What is left of it.", schema: { type: "integer" } },
  RateLimitReset: { description: "When it refills, in Unix seconds.", schema: { type: "integer" } },
  RetryAfter: { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
};
const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });
const REQUEST_ID = { "X-Request-Id": header("RequestId") };
// On every response once the key is known; a 401 has none, and neither has a
// request let through unlimited while the rate-limit store is unavailable.
const RATE_HEADERS = {
  "X-RateLimit-Limit": header("RateLimitLimit"),
  "X-RateLimit-Remaining": header("RateLimitRemaining"),
  "X-RateLimit-Reset": header("RateLimitReset"),
};

function successResponse(spec: ResponseSpec, headers: Json, convert: (schema: z.ZodType, io: "output") => Json): Json {
  switch (spec.content) {
    case "json":
      return { description: spec.description, headers, content: { "application/json": { schema: convert(spec.schema, "output") } } };
    case "html":
      return { description: spec.description, headers, content: { "text/html": { schema: { type: "string" } } } };
    case "redirect":
      return { description: spec.description, headers: { ...headers, Location: { description: "Where the browser goes next.", schema: { type: "string" } } } };
    case "empty":
      return { description: spec.description, headers };
  }
}

function errorResponses(route: RouteSpec, headers: Json): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of route.errors) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => {
      const schema = {
        allOf: [
          { $ref: "#/components/schemas/Error" },
          { type: "object", properties: { error: { type: "object", properties: { code: { type: "string", enum: codes } } } } },
        ],
      };
      const retry = status === 429 || status === 503 ? { "Retry-After": header("RetryAfter") } : {};
      const counted = status === 401 ? REQUEST_ID : headers;
      return [
        String(status),
        {
          description: codes.map((code) => `\`${code}\`: ${ERROR_WHEN[code]}.`).join(" "),
          headers: { ...counted, ...retry },
          content: { "application/json": { schema } },
        },
      ];
    }),
  );
}

/** `:name` path segments as OpenAPI's `{name}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

export function buildOpenApiDocument(): Json {
  const { schemas, refs } = components();
  const convert = (schema: z.ZodType, io: "input" | "output"): Json => {
    const ref = refs.get(schema);
    return ref ? { $ref: `#/components/schemas/${ref}` } : bare(z.toJSONSchema(schema, { io, override, unrepresentable: "any" }) as Json);
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of ROUTES) {
    const headers: Json = { ...REQUEST_ID, ...(route.scopes ? RATE_HEADERS : {}) };
    const responses: Record<string, Json> = {
      ...Object.fromEntries(Object.entries(route.responses).map(([status, spec]) => [status, successResponse(spec, headers, convert)])),
      ...errorResponses(route, headers),
    };
    const scopes = route.scopes ? ` Needs the ${route.scopes.map((s) => `\`${s}\``).join(" or ")} scope.` : " No API key.";
    const operation: Json = {
      operationId: route.id,
      summary: route.summary,
      description: route.description + scopes,
      tags: [route.tag],
      security: route.scopes ? route.scopes.map((scope) => ({ apiKey: [scope] })) : [],
      ...(route.scopes ? { "x-scopes": route.scopes } : {}),
      parameters: parameters(route, convert),
      ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: convert(route.body, "input") } } } } : {}),
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    };
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Layers Connect API",
      version: "v1",
      description:
        "Connect your end-customers' TikTok and Instagram accounts. Send your API key as `Authorization: Bearer lp_live_...` (or `lp_test_...` for the sandbox). Every error is `{ error: { code, message, requestId, issues? } }`; with several faults the precedence is 401, 403 FORBIDDEN_SCOPE, 429, 404, 400, 403 RETURN_URL_NOT_ALLOWED. Other methods on these paths answer 405 METHOD_NOT_ALLOWED with `Allow`.",
    },
    tags: [
      { name: "OAuth", description: "Start an OAuth attempt and read its outcome." },
      { name: "Social accounts", description: "The accounts your end-customers connected." },
      { name: "Meta", description: "This description." },
    ],
    paths,
    components: {
      schemas,
      headers: HEADERS,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "lp_live_<id>_<secret> or lp_test_<id>_<secret>",
          description: `An API key from ladmin or the console. Scopes: ${API_SCOPES.map((s) => `\`${s}\` (${SCOPE_WHAT[s]})`).join(", ")}.`,
        },
      },
    },
  };
}

let cached: string | undefined;

/** The document as committed in openapi.json and served at GET /v1/openapi.json. */
export function openApiText(): string {
  return (cached ??= `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
}
