/**
 * @layers-connect/sdk: the Layers Connect API from TypeScript and
 * JavaScript. No dependencies beyond `fetch` and Web Crypto.
 */
export { Layers, type LayersOptions } from "./client.js";
export { LayersError, LayersWebhookError, SDK_ERROR_CODES, type LayersErrorCode, type SdkErrorCode, type WebhookErrorCode } from "./errors.js";
export type { CreateOAuthUrlParams, CreateOptions, IterateParams, ListParams, StatusOptions, WaitOptions } from "./resources.js";
export { Accounts, Social, WebhookEndpoints } from "./resources.js";
export { MAX_RETRY_AFTER_MS, type RequestOptions } from "./transport.js";
export type * from "./types.js";
export { verifyWebhook, type VerifyOptions, type WebhookHeaders } from "./webhooks.js";
export type { components, operations, paths } from "./schema.js";
