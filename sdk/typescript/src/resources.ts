import type { RequestOptions, Transport } from "./transport.js";
import type {
  CreatedWebhookEndpoint,
  OAuthAttempt,
  OAuthUrl,
  OAuthUrlRequest,
  PageQuery,
  RotatedWebhookSecret,
  SocialAccount,
  SocialAccountPage,
  WebhookEndpoint,
  WebhookEndpointPage,
  WebhookEndpointRequest,
  WebhookTestEvent,
} from "./types.js";

/** The API's calls, grouped as `layers.social`, `layers.accounts` and `layers.webhookEndpoints`. */

export type CreateOAuthUrlParams = OAuthUrlRequest & {
  /** The project that will own the connected account (`prj_...`). */
  projectId: string;
};

export interface CreateOptions extends RequestOptions {
  /**
   * Sent as `Idempotency-Key`: the same key and body within 24 h answers
   * the same state and URL. By default a random one per call, kept across
   * that call's retries; pass your own to make a retry of yours (after a
   * crash, say) idempotent too.
   */
  idempotencyKey?: string;
}

export interface StatusOptions extends RequestOptions {
  /**
   * Long-poll: hold the request until the status is no longer `pending`, for
   * at most this many whole seconds (1 to 30). The call's default timeout
   * grows by the same amount.
   */
  wait?: number;
}

export interface WaitOptions {
  /** How long to wait in all, in milliseconds: 10 minutes (an attempt's lifetime) by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ListParams = PageQuery & RequestOptions;
export type IterateParams = Pick<PageQuery, "limit"> & RequestOptions;

/** Longest `wait` the API takes. */
const MAX_WAIT_SECONDS = 30;
const DEFAULT_CONNECTION_WAIT_MS = 10 * 60_000;

const segment = encodeURIComponent;

export class Social {
  constructor(private readonly transport: Transport) {}

  /**
   * Starts an OAuth attempt: the platform's authorize URL to open top-level
   * in the end-customer's browser, and the attempt's `state`.
   */
  createOAuthUrl(params: CreateOAuthUrlParams, options: CreateOptions = {}): Promise<OAuthUrl> {
    const { projectId, ...body } = params;
    const { idempotencyKey, ...rest } = options;
    return this.transport.request({
      method: "POST",
      path: `/v1/projects/${segment(projectId)}/social/oauth-url`,
      body,
      idempotencyKey: idempotencyKey ?? newIdempotencyKey(),
      options: rest,
    });
  }

  /** The attempt as it stands; with `wait`, as soon as it is no longer pending (or after `wait` seconds). */
  getOAuthStatus(state: string, options: StatusOptions = {}): Promise<OAuthAttempt> {
    const { wait, ...rest } = options;
    return this.transport.request({
      method: "GET",
      path: `/v1/social/oauth-status/${segment(state)}`,
      query: { wait },
      holdMs: typeof wait === "number" && wait > 0 ? wait * 1000 : 0,
      options: rest,
    });
  }

  /**
   * Long-polls the attempt until it ends, and answers it: `completed` (with
   * `socialAccountId`), `failed` (with `error`) or `expired`. These are
   * outcomes, so they resolve; inspect `status`. It resolves `pending` only
   * when `timeoutMs` ran out first. Faults (a bad key, an unknown state, the
   * API unreachable after retries) throw LayersError.
   */
  async waitForConnection(state: string, options: WaitOptions = {}): Promise<OAuthAttempt> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_CONNECTION_WAIT_MS);
    for (;;) {
      const wait = Math.min(MAX_WAIT_SECONDS, Math.floor((deadline - Date.now()) / 1000));
      // Under a second left: one last plain read.
      const attempt = await this.getOAuthStatus(state, wait >= 1 ? { wait, signal: options.signal } : { signal: options.signal });
      if (attempt.status !== "pending" || wait < 1) return attempt;
    }
  }
}

export class Accounts {
  constructor(private readonly transport: Transport) {}

  /** One page of the project's connected accounts (oldest first); pass `nextCursor` as `cursor` for the next. */
  list(projectId: string, params: ListParams = {}): Promise<SocialAccountPage> {
    const { limit, cursor, ...options } = params;
    return this.transport.request({ method: "GET", path: `/v1/projects/${segment(projectId)}/social/accounts`, query: { limit, cursor }, options });
  }

  /** Every connected account of the project, fetching page after page as the loop goes: `for await (const account of ...)`. */
  iterate(projectId: string, params: IterateParams = {}): AsyncGenerator<SocialAccount> {
    return paginate((cursor) => this.list(projectId, { ...params, cursor }));
  }

  get(id: string, options: RequestOptions = {}): Promise<SocialAccount> {
    return this.transport.request({ method: "GET", path: `/v1/social/accounts/${segment(id)}`, options });
  }

  /**
   * Refreshes the account's platform tokens now and answers the account.
   * Throws NEEDS_REAUTH (409) when the platform refused for good: only the
   * end-customer can fix that, by connecting again.
   */
  refresh(id: string, options: RequestOptions = {}): Promise<SocialAccount> {
    // Refreshing twice is refreshing: a lost answer may be asked again.
    return this.transport.request({ method: "POST", path: `/v1/social/accounts/${segment(id)}/refresh`, resendable: true, options });
  }

  /** Revokes the token at the platform where it can, deletes the tokens; the account reads `disconnected` from then on. */
  async disconnect(id: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.request({ method: "DELETE", path: `/v1/social/accounts/${segment(id)}`, options });
  }
}

export class WebhookEndpoints {
  constructor(private readonly transport: Transport) {}

  /**
   * Adds an endpoint for the project's events of the key's mode. The answer's
   * `secret` is shown only here: keep it to verify deliveries. (The API takes
   * no Idempotency-Key here, so a create whose answer was lost is not resent.)
   */
  create(projectId: string, body: WebhookEndpointRequest, options: RequestOptions = {}): Promise<CreatedWebhookEndpoint> {
    return this.transport.request({ method: "POST", path: `/v1/projects/${segment(projectId)}/webhook-endpoints`, body, options });
  }

  /** One page of the project's endpoints (never their secrets). */
  list(projectId: string, params: ListParams = {}): Promise<WebhookEndpointPage> {
    const { limit, cursor, ...options } = params;
    return this.transport.request({ method: "GET", path: `/v1/projects/${segment(projectId)}/webhook-endpoints`, query: { limit, cursor }, options });
  }

  /** Every endpoint of the project, page after page. */
  iterate(projectId: string, params: IterateParams = {}): AsyncGenerator<WebhookEndpoint> {
    return paginate((cursor) => this.list(projectId, { ...params, cursor }));
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.request({ method: "DELETE", path: `/v1/webhook-endpoints/${segment(id)}`, options });
  }

  /** A new secret; the previous one keeps signing beside it for 24 hours, so receivers can switch without losing events. */
  rotateSecret(id: string, options: RequestOptions = {}): Promise<RotatedWebhookSecret> {
    return this.transport.request({ method: "POST", path: `/v1/webhook-endpoints/${segment(id)}/rotate-secret`, options });
  }

  /** Queues a `webhook.test` event for this endpoint alone; answers its id (the delivery's `webhook-id`). */
  sendTest(id: string, options: RequestOptions = {}): Promise<WebhookTestEvent> {
    return this.transport.request({ method: "POST", path: `/v1/webhook-endpoints/${segment(id)}/test`, options });
  }
}

/** The items of page after page: every list answers `{ data, nextCursor }`, with nextCursor null on the last. */
async function* paginate<T>(page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const { data, nextCursor } = await page(cursor);
    yield* data;
    cursor = nextCursor ?? undefined;
  } while (cursor);
}

/** A random Idempotency-Key: a UUID, or (outside secure browser contexts, which lack randomUUID) 128 random bits in hex. */
function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
