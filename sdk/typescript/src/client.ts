import { LayersError } from "./errors.js";
import { Accounts, Social, WebhookEndpoints } from "./resources.js";
import { Transport } from "./transport.js";
import { verifyWebhook } from "./webhooks.js";

export interface LayersOptions {
  /** An API key, `lp_live_...` or `lp_test_...`. Default: the LAYERS_API_KEY environment variable. */
  apiKey?: string;
  /** Where the Layers API is. Default: LAYERS_BASE_URL, else http://localhost:3000. */
  baseUrl?: string;
  /** Timeout of each HTTP request, in milliseconds (a long-poll's wait is added to it). Default 30 000. */
  timeoutMs?: number;
  /** How often a call is retried after a 429, a 503 or a lost connection. Default 2. */
  maxRetries?: number;
  /** The fetch to use (a proxy-aware one, a recording one in tests). Default: the global fetch. */
  fetch?: typeof fetch;
}

const DEFAULT_BASE_URL = "http://localhost:3000";
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;

/**
 * The Layers Connect API client.
 *
 * ```ts
 * const layers = new Layers({ apiKey: process.env.LAYERS_API_KEY, baseUrl: "https://layers.example.com" });
 * const { authorizeUrl, state } = await layers.social.createOAuthUrl({ projectId, platform: "tiktok", returnUrl });
 * ```
 *
 * An API key is a server secret: in a browser the constructor refuses a
 * live key (`lp_live_`). Test keys (`lp_test_`), which only reach the
 * sandbox, may be used there.
 */
export class Layers {
  /** Webhook verification: needs no client, only the endpoint's secret. */
  static readonly webhooks = { verify: verifyWebhook };

  /** OAuth attempts: create an authorize URL, read or wait for its outcome. */
  readonly social: Social;
  /** Connected accounts: list, read, refresh, disconnect. */
  readonly accounts: Accounts;
  /** Where a project's events are sent: create, list, rotate the secret, send a test event, delete. */
  readonly webhookEndpoints: WebhookEndpoints;

  constructor(options: LayersOptions = {}) {
    const apiKey = options.apiKey ?? env("LAYERS_API_KEY");
    if (!apiKey) {
      throw new LayersError({ status: 0, code: "MISSING_API_KEY", message: "No API key: pass new Layers({ apiKey }) or set LAYERS_API_KEY." });
    }
    if (inBrowser() && apiKey.startsWith("lp_live_")) {
      throw new LayersError({
        status: 0,
        code: "LIVE_KEY_IN_BROWSER",
        message:
          "A live API key (lp_live_) is a server secret: anyone who opens this page could read it. Call Layers from your server and send the browser only the authorizeUrl. (Test keys, lp_test_, may be used in a browser.)",
      });
    }
    const transport = new Transport({
      apiKey,
      baseUrl: (options.baseUrl ?? env("LAYERS_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      // Looked up at call time, not bound now: a test (or a polyfill) may replace the global later.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    });
    this.social = new Social(transport);
    this.accounts = new Accounts(transport);
    this.webhookEndpoints = new WebhookEndpoints(transport);
  }
}

/** An environment variable where there is a `process` (Node, Bun, Deno's compat); undefined in browsers. */
function env(name: string): string | undefined {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env?.[name] || undefined;
}

/** A page in a browser (workers and server runtimes have no `document`). */
function inBrowser(): boolean {
  return typeof (globalThis as { window?: unknown }).window !== "undefined" && typeof (globalThis as { document?: unknown }).document !== "undefined";
}
