import { z } from "zod";
import {
  accountListQuery,
  accountPage,
  createdWebhookEndpoint,
  idempotencyHeaders,
  oauthAttempt,
  oauthStatusQuery,
  oauthUrlRequest,
  oauthUrlResponse,
  platform,
  rotatedWebhookSecret,
  socialAccount,
  webhookEndpointPage,
  webhookEndpointRequest,
  webhookTestEvent,
} from "./api";
import type { ErrorCode } from "./errors";
import { ids } from "./ids";
import type { ApiScope } from "./vocabulary";

/**
 * Every /v1 route, described once (CONTRACT.md §3). The route files take
 * their policy from here, the test harness mounts and checks responses by
 * it, the security suite iterates it and the OpenAPI document is generated
 * from it. Adding a route means an entry here and its route file under
 * app/v1 at the same path (`:name` segments are `[name]` folders).
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export const HTTP_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export type ResponseSpec =
  | { description: string; content: "json"; schema: z.ZodType }
  | { description: string; content: "html" }
  | { description: string; content: "redirect" }
  | { description: string; content: "empty" };

export interface RouteSpec {
  id: string;
  method: HttpMethod;
  path: `/v1/${string}`;
  summary: string;
  description: string;
  tag: "OAuth" | "Social accounts" | "Webhooks" | "Meta";
  /** The key needs any one of these scopes; `null`: the route takes no API key. */
  scopes: readonly ApiScope[] | null;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The answers other than the JSON error body, by status. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** The JSON error codes the route can answer (their statuses come from ERROR_STATUS). */
  errors: readonly ErrorCode[];
}

// What any route behind an API key can answer before (or beyond) its own logic.
const KEYED_ERRORS = ["UNAUTHENTICATED", "FORBIDDEN_SCOPE", "RATE_LIMITED", "INTERNAL", "UNAVAILABLE"] as const satisfies readonly ErrorCode[];

const define = <const R extends RouteSpec>(route: R) => route;

export const routes = {
  createOAuthUrl: define({
    id: "createOAuthUrl",
    method: "POST",
    path: "/v1/projects/:projectId/social/oauth-url",
    summary: "Create an authorize URL",
    description:
      "Starts an OAuth attempt for one end-customer: answers the platform's own authorize URL and the attempt's state. For lp_test_ keys the URL points to the built-in sandbox.",
    tag: "OAuth",
    scopes: ["social:write"],
    params: z.object({ projectId: ids.prj }),
    headers: idempotencyHeaders,
    body: oauthUrlRequest,
    responses: { 200: { description: "The authorize URL and the attempt's state.", content: "json", schema: oauthUrlResponse } },
    errors: [...KEYED_ERRORS, "VALIDATION", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "RETURN_URL_NOT_ALLOWED", "IDEMPOTENCY_CONFLICT", "PLATFORM_NOT_CONFIGURED"],
  }),
  getOAuthStatus: define({
    id: "getOAuthStatus",
    method: "GET",
    path: "/v1/social/oauth-status/:state",
    summary: "Read an attempt's status",
    description:
      "The outcome of an OAuth attempt, for the key that created it (any other key gets 404). An unknown state of any shape a state can have answers 404; only a value that cannot be a state is 400. " +
      "Long-poll: with ?wait=N (whole seconds, 1 to 30) the request is held until the status is no longer pending or N seconds pass, then answered the same way. " +
      "It answers within about a second of the callback finishing, on whichever instance the callback ran, counts once against the read budget, and ends when the client goes away.",
    tag: "OAuth",
    scopes: ["social:read", "social:write"],
    params: z.object({ state: ids.st }),
    query: oauthStatusQuery,
    responses: { 200: { description: "The attempt.", content: "json", schema: oauthAttempt } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  oauthCallback: define({
    id: "oauthCallback",
    method: "GET",
    path: "/v1/social/oauth/callback/:platform",
    summary: "Platform callback (browser)",
    description:
      "The redirect_uri the platforms send the end-customer's browser to after consent. Not called by integrators. Ends the attempt and answers 303 to its returnUrl, with layers_oauth_error=<code> added on failure.",
    tag: "OAuth",
    scopes: null,
    params: z.object({ platform }),
    query: z.object({
      state: z.string().optional().meta({ description: "The attempt's state." }),
      code: z.string().optional().meta({ description: "The authorization code." }),
      error: z.string().optional().meta({ description: "Set by the platform when the end-customer cancelled or the platform denied." }),
    }),
    responses: {
      303: { description: "To the attempt's returnUrl (with layers_oauth_error=<code> on failure).", content: "redirect" },
      400: { description: "The hosted error page: the state is unknown or malformed, so there is nowhere safe to send the browser.", content: "html" },
      403: {
        description: "The hosted error page: the attempt was bound to another browser on the hosted connect page; nothing is exchanged and the attempt is left as it was.",
        content: "html",
      },
      500: { description: "The hosted error page, with the request id, when Layers failed.", content: "html" },
      503: {
        description: "The hosted \"still connecting\" page: another callback for the attempt (a double click, a reload) is still talking to the platform; reloading shortly reaches the outcome.",
        content: "html",
      },
    },
    errors: [],
  }),
  listSocialAccounts: define({
    id: "listSocialAccounts",
    method: "GET",
    path: "/v1/projects/:projectId/social/accounts",
    summary: "List a project's accounts",
    description: "The project's connected accounts of the key's mode, oldest first, a page at a time.",
    tag: "Social accounts",
    scopes: ["social:read"],
    params: z.object({ projectId: ids.prj }),
    query: accountListQuery,
    responses: { 200: { description: "A page of accounts.", content: "json", schema: accountPage } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  getSocialAccount: define({
    id: "getSocialAccount",
    method: "GET",
    path: "/v1/social/accounts/:id",
    summary: "Read an account",
    description: "One connected account (never its tokens).",
    tag: "Social accounts",
    scopes: ["social:read"],
    params: z.object({ id: ids.sa }),
    responses: { 200: { description: "The account.", content: "json", schema: socialAccount } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  disconnectSocialAccount: define({
    id: "disconnectSocialAccount",
    method: "DELETE",
    path: "/v1/social/accounts/:id",
    summary: "Disconnect an account",
    description: "Revokes the token at the platform where it can, deletes the tokens and marks the account disconnected.",
    tag: "Social accounts",
    scopes: ["social:write"],
    params: z.object({ id: ids.sa }),
    responses: { 204: { description: "Disconnected.", content: "empty" } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  refreshSocialAccount: define({
    id: "refreshSocialAccount",
    method: "POST",
    path: "/v1/social/accounts/:id/refresh",
    summary: "Refresh an account's tokens now",
    description:
      "Refreshes the account's platform tokens now, instead of waiting for the sweep that keeps them fresh, and answers the account. A refresh already in progress is waited for, not repeated. An Instagram token under 24 hours old cannot be refreshed (Instagram refuses) and is answered as it is. 409 NEEDS_REAUTH when the platform refused for good: the account is then needs_reauth, and only the end-customer can fix it by connecting again. 503 UNAVAILABLE when the platform did not answer: nothing changed.",
    tag: "Social accounts",
    scopes: ["social:write"],
    params: z.object({ id: ids.sa }),
    responses: { 200: { description: "The account, with its new accessTokenExpiresAt and lastRefreshedAt.", content: "json", schema: socialAccount } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND", "NEEDS_REAUTH", "PLATFORM_NOT_CONFIGURED"],
  }),
  createWebhookEndpoint: define({
    id: "createWebhookEndpoint",
    method: "POST",
    path: "/v1/projects/:projectId/webhook-endpoints",
    summary: "Create a webhook endpoint",
    description:
      "Adds an endpoint that receives the project's events of the key's mode, signed with Standard Webhooks. The answer holds the endpoint's secret, shown only here. The URL must be https and its host must resolve to public addresses (unless the instance allows private ones).",
    tag: "Webhooks",
    scopes: ["webhooks:write"],
    params: z.object({ projectId: ids.prj }),
    body: webhookEndpointRequest,
    responses: { 201: { description: "The endpoint, with its secret.", content: "json", schema: createdWebhookEndpoint } },
    errors: [...KEYED_ERRORS, "VALIDATION", "PAYLOAD_TOO_LARGE", "NOT_FOUND"],
  }),
  listWebhookEndpoints: define({
    id: "listWebhookEndpoints",
    method: "GET",
    path: "/v1/projects/:projectId/webhook-endpoints",
    summary: "List a project's webhook endpoints",
    description: "The project's endpoints of the key's mode, oldest first, a page at a time; never their secrets.",
    tag: "Webhooks",
    scopes: ["webhooks:read"],
    params: z.object({ projectId: ids.prj }),
    query: accountListQuery,
    responses: { 200: { description: "A page of endpoints.", content: "json", schema: webhookEndpointPage } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  deleteWebhookEndpoint: define({
    id: "deleteWebhookEndpoint",
    method: "DELETE",
    path: "/v1/webhook-endpoints/:id",
    summary: "Delete a webhook endpoint",
    description: "Deletes the endpoint with its delivery history; events still queued for it are not sent.",
    tag: "Webhooks",
    scopes: ["webhooks:write"],
    params: z.object({ id: ids.we }),
    responses: { 204: { description: "Deleted.", content: "empty" } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  rotateWebhookSecret: define({
    id: "rotateWebhookSecret",
    method: "POST",
    path: "/v1/webhook-endpoints/:id/rotate-secret",
    summary: "Rotate an endpoint's secret",
    description: "A new signing secret, shown only here. For 24 hours every delivery carries two signatures, one per secret, so the receiver can switch without losing events.",
    tag: "Webhooks",
    scopes: ["webhooks:write"],
    params: z.object({ id: ids.we }),
    responses: { 200: { description: "The new secret.", content: "json", schema: rotatedWebhookSecret } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  testWebhookEndpoint: define({
    id: "testWebhookEndpoint",
    method: "POST",
    path: "/v1/webhook-endpoints/:id/test",
    summary: "Send a test event",
    description: "Queues a webhook.test event for this endpoint alone, delivered and signed like every event. 400 when the endpoint is disabled.",
    tag: "Webhooks",
    scopes: ["webhooks:write"],
    params: z.object({ id: ids.we }),
    responses: { 202: { description: "Queued; the event's id is its webhook-id.", content: "json", schema: webhookTestEvent } },
    errors: [...KEYED_ERRORS, "VALIDATION", "NOT_FOUND"],
  }),
  openApiDocument: define({
    id: "openApiDocument",
    method: "GET",
    path: "/v1/openapi.json",
    summary: "This document",
    description: "The OpenAPI 3.1 description of every /v1 route, generated from the schemas the server validates with.",
    tag: "Meta",
    scopes: null,
    responses: { 200: { description: "An OpenAPI 3.1 document.", content: "json", schema: z.looseObject({ openapi: z.string() }) } },
    errors: ["INTERNAL"],
  }),
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof routes;
export const ROUTES: readonly RouteSpec[] = Object.values(routes);

/** The methods the table serves at one path (a 405's `Allow`). */
export function methodsAt(path: string): HttpMethod[] {
  return ROUTES.filter((route) => route.path === path).map((route) => route.method);
}

const segmentPattern = (segment: string) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
const patterns = new Map(ROUTES.map((route) => [route, new RegExp(`^${route.path.split("/").map(segmentPattern).join("/")}$`)]));

/** The table entry that serves `method` at a concrete URL path, if any. */
export function findRoute(method: string, pathname: string): RouteSpec | undefined {
  return ROUTES.find((route) => route.method === method && patterns.get(route)!.test(pathname));
}
