import type { components, operations } from "./schema.js";

/**
 * The SDK's public shapes, every one taken from the generated `schema.ts`
 * (itself generated from the API's committed `openapi.json`), so a change
 * to the API shows up here as a type error instead of a silent mismatch.
 */
type Schemas = components["schemas"];

/** `POST /v1/projects/:projectId/social/oauth-url`'s body. */
export type OAuthUrlRequest = Schemas["OAuthUrlRequest"];
/** Its answer: `{ authorizeUrl, state, expiresAt }`. */
export type OAuthUrl = Schemas["OAuthUrl"];
/** An attempt as `GET /v1/social/oauth-status/:state` reads it: a union on `status`. */
export type OAuthAttempt = Schemas["OAuthAttempt"];
export type OAuthAttemptStatus = OAuthAttempt["status"];
/** Why a failed attempt failed (`access_denied`, `state_expired`, ...). */
export type OAuthError = Extract<OAuthAttempt, { status: "failed" }>["error"];
export type Platform = OAuthUrlRequest["platform"];

export type SocialAccount = Schemas["SocialAccount"];
export type SocialAccountPage = Schemas["SocialAccountPage"];

export type WebhookEndpointRequest = Schemas["WebhookEndpointRequest"];
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
/** The endpoint as created: with its `secret`, shown only then. */
export type CreatedWebhookEndpoint = Schemas["CreatedWebhookEndpoint"];
export type WebhookEndpointPage = Schemas["WebhookEndpointPage"];
export type RotatedWebhookSecret = Schemas["RotatedWebhookSecret"];
export type WebhookTestEvent = Schemas["WebhookTestEvent"];
export type WebhookEventType = WebhookEndpoint["events"][number];

/** The codes of the API's error body (`{ error: { code, message, requestId, issues? } }`). */
export type ApiErrorCode = Schemas["Error"]["error"]["code"];
/** One problem of a `VALIDATION` error: the field's path and what is wrong with it. */
export type Issue = NonNullable<Schemas["Error"]["error"]["issues"]>[number];

/** `limit` and `cursor`, as the list endpoints take them. */
export type PageQuery = NonNullable<operations["listSocialAccounts"]["parameters"]["query"]>;

/**
 * The events a webhook endpoint receives (CONTRACT.md §8). The OpenAPI
 * document describes the API's answers, not these bodies, so their `data`
 * is put together here from the schemas it is made of.
 */
interface EventOf<T extends WebhookEventType, D> {
  type: T;
  /** When the event happened (ISO-8601); not the time of this delivery, which is `webhook-timestamp`. */
  timestamp: string;
  data: D;
}

export type WebhookEvent =
  | EventOf<"social_account.connected", SocialAccount & { state: string; reconnected: boolean; missingScopes: string[] }>
  | EventOf<"oauth_attempt.failed", { state: string; projectId: string; platform: Platform; error: OAuthError }>
  | EventOf<"social_account.needs_reauth", SocialAccount>
  | EventOf<"social_account.disconnected", SocialAccount>
  | EventOf<"webhook.test", { endpointId: string }>;
