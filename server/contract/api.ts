import { z } from "zod";
import { ids } from "./ids";
import { unknownFieldsMessage } from "./suggest";
import { ACCOUNT_STATUSES, OAUTH_ERROR_CODES, PLATFORMS, REAUTH_REASONS, WEBHOOK_ENDPOINT_STATUSES, WEBHOOK_EVENT_TYPES } from "./vocabulary";

/**
 * The shapes the public REST API reads and answers (CONTRACT.md §3), as the
 * route table names them. Responses are strict: the contract test in the
 * harness fails when the server answers a field the table does not name.
 */
const timestamp = z.iso.datetime().meta({ description: "ISO-8601 instant, UTC", example: "2026-05-01T12:00:00.000Z" });

export const platform = z.enum(PLATFORMS).meta({ description: "The social platform", example: "tiktok" });

/**
 * A request body: a JSON object whose unknown fields are refused by name,
 * with the field each one likely meant (`returnURL` → `returnUrl`).
 */
function requestBody<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? unknownFieldsMessage(issue.keys, known) : "the body must be a JSON object"),
  });
}

/**
 * The oauth-url body as a caller may send it, with the messages its issues
 * carry. The domain adds what needs more than zod (returnUrl rules, the
 * platform's known scopes) with a refinement on top.
 */
export const oauthUrlRequest = requestBody({
  platform: z.enum(PLATFORMS, { message: 'must be "tiktok" or "instagram"' }).meta({ description: "The social platform", example: "tiktok" }),
  returnUrl: z
    .string({ message: "must be a string URL" })
    .max(2048, "must be at most 2048 characters")
    .meta({
      description:
        "Where the end-customer's browser is sent when the attempt ends: an absolute http(s) URL without a fragment, in this key's return URL allowlist (a query string is kept).",
      example: "https://app.example.com/connect/return",
    }),
  scopes: z
    .array(z.string(), { message: "must be an array of scope names" })
    .max(20)
    .optional()
    .meta({ description: "The platform scopes to request; the platform's defaults when omitted. The basic scope is always included." }),
  usageNote: z
    .string({ message: "must be a string" })
    .max(500, "must be at most 500 characters")
    .optional()
    .meta({ description: "Free text kept with the attempt and shown in the console.", example: "Acme Coffee" }),
});

export const oauthUrlResponse = z.strictObject({
  authorizeUrl: z.url().meta({ description: "The platform's own authorize URL (the sandbox's for lp_test_ keys): open it in a top-level browser tab." }),
  state: ids.st.meta({ description: "The attempt's id, also the OAuth `state`: poll oauth-status with it." }),
  expiresAt: timestamp.meta({ description: "10 minutes after creation; a callback after it fails with state_expired." }),
  connectUrl: z.url().meta({
    description: "Layers' hosted connect page for this attempt (LAYERS_PUBLIC_URL/connect/<state>): send the end-customer there instead of to authorizeUrl if you would rather send a link of ours.",
  }),
});

const attemptFields = {
  state: ids.st,
  platform,
  projectId: ids.prj,
  usageNote: z.string().nullable(),
  createdAt: timestamp,
  expiresAt: timestamp,
  completedAt: timestamp.nullable().meta({ description: "When the callback finished; null while pending or expired." }),
};


export const oauthAttempt = z
  .discriminatedUnion("status", [
    z.strictObject({ ...attemptFields, status: z.literal("pending") }),
    z.strictObject({ ...attemptFields, status: z.literal("expired") }),
    z.strictObject({
      ...attemptFields,
      status: z.literal("completed"),
      socialAccountId: ids.sa,
      grantedScopes: z.array(z.string()).meta({ description: "The scopes the end-customer granted." }),
      missingScopes: z.array(z.string()).meta({ description: "Requested scopes that were not granted." }),
    }),
    z.strictObject({
      ...attemptFields,
      status: z.literal("failed"),
      error: z.strictObject({ code: z.enum(OAUTH_ERROR_CODES), message: z.string() }),
    }),
  ])
  .meta({ description: "An OAuth attempt. A pending state past expiresAt reads expired, which is final." });
export type OAuthAttempt = z.input<typeof oauthAttempt>;

export const socialAccount = z
  .strictObject({
    id: ids.sa,
    projectId: ids.prj,
    platform,
    platformUserId: z.string().meta({ description: "The platform's id for the user (text: Instagram ids exceed 2^53)." }),
    username: z.string().nullable(),
    displayName: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    grantedScopes: z.array(z.string()),
    status: z.enum(ACCOUNT_STATUSES).meta({
      description: "active: Layers keeps its tokens fresh. needs_reauth: only the end-customer can fix it, by connecting again (reauthReason says why). disconnected: tokens deleted.",
    }),
    reauthReason: z.enum(REAUTH_REASONS).nullable().meta({ description: "Why the account needs the end-customer; null unless status is needs_reauth." }),
    accessTokenExpiresAt: timestamp.nullable().meta({ description: "When the current access token expires, as the platform said; Layers refreshes it before then." }),
    lastRefreshedAt: timestamp.nullable().meta({ description: "When Layers last refreshed the tokens; null until the first refresh." }),
    livemode: z.boolean().meta({ description: "True for accounts connected with an lp_live_ key." }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ description: "A connected account. Tokens never leave the server." });

export const accountPage = z.strictObject({
  data: z.array(socialAccount),
  nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
});

export const CURSOR_MESSAGE = "must be a nextCursor from an earlier page";

/** A cursor as a caller may send it: what the server's nextCursor holds, and never long. */
export const pageCursor = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, CURSOR_MESSAGE);

export const accountListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: "Page size, 1 to 100." }),
  cursor: pageCursor.optional().meta({ description: "A nextCursor from an earlier page." }),
});

/** The status read's query: `wait` makes it a long-poll. */
export const oauthStatusQuery = z.object({
  wait: z.coerce
    .number<string>()
    .int("must be a whole number of seconds, 1 to 30")
    .min(1, "must be a whole number of seconds, 1 to 30")
    .max(30, "must be a whole number of seconds, 1 to 30")
    .optional()
    .meta({ description: "Long-poll: hold the request until the status is no longer pending, for at most this many seconds (1 to 30)." }),
});

export const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters");

export const idempotencyHeaders = z.object({
  "Idempotency-Key": idempotencyKey
    .optional()
    .meta({ description: "1 to 255 visible ASCII characters: the same key and body within 24 h answers the same state and URL." }),
});

export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

export const webhookEndpointRequest = requestBody({
  url: z.string().max(2048).meta({ description: "https URL that receives the events (http only to localhost, in embedded mode). Its host must resolve to public addresses." }),
  events: z
    .array(webhookEventType)
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .optional()
    .meta({ description: "The event types to send; all of them when omitted." }),
  description: z.string().max(200).optional(),
});

export const webhookEndpoint = z
  .strictObject({
    id: ids.we,
    url: z.string(),
    events: z.array(webhookEventType).meta({ description: "The event types it receives." }),
    description: z.string().nullable(),
    status: z.enum(WEBHOOK_ENDPOINT_STATUSES).meta({
      description: "disabled: by an admin in the console, by a 410 answer, or after 5 days in which every delivery failed. A disabled endpoint receives nothing.",
    }),
    createdAt: timestamp,
  })
  .meta({ description: "Where a project's events of the key's mode go. The secret is shown only at creation and rotation." });

export const createdWebhookEndpoint = webhookEndpoint
  .extend({ secret: z.string().meta({ description: "whsec_ + base64 of 32 bytes: verifies the webhook-signature header. Shown only here." }) })
  .meta({ description: "The new endpoint, with its signing secret (shown only now)." });

export const webhookEndpointPage = z.strictObject({
  data: z.array(webhookEndpoint),
  nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
});

export const rotatedWebhookSecret = z.strictObject({
  secret: z.string().meta({ description: "The new secret. The previous one keeps signing beside it for 24 hours." }),
});

export const webhookTestEvent = z.strictObject({
  eventId: ids.evt.meta({ description: "The webhook.test event sent (its webhook-id header)." }),
});

/** Component names in the OpenAPI document. */
export const API_COMPONENTS = {
  OAuthUrlRequest: oauthUrlRequest,
  OAuthUrl: oauthUrlResponse,
  OAuthAttempt: oauthAttempt,
  SocialAccount: socialAccount,
  SocialAccountPage: accountPage,
  WebhookEndpointRequest: webhookEndpointRequest,
  WebhookEndpoint: webhookEndpoint,
  CreatedWebhookEndpoint: createdWebhookEndpoint,
  WebhookEndpointPage: webhookEndpointPage,
  RotatedWebhookSecret: rotatedWebhookSecret,
  WebhookTestEvent: webhookTestEvent,
} as const;
