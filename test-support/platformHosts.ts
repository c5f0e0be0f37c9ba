import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * TikTok's and Instagram's live token hosts as the refresh machinery meets
 * them (PLATFORMS.md "Refresh, and how tokens die"), behind a real HTTP
 * server, on a clock the test controls:
 *
 * - TikTok `POST /v2/oauth/token/` with `grant_type=refresh_token` rotates:
 *   a new access and refresh token, the previous refresh token refused from
 *   then on (`invalid_grant`, with HTTP 200 as TikTok may send it), as are an
 *   expired one and a revoked grant's.
 * - Instagram `GET /refresh_access_token?grant_type=ig_refresh_token` gives a
 *   new long-lived token only for one at least 24 h old and unexpired; the
 *   old one stays valid until it expires. Dead tokens answer Graph error 190
 *   (463 expired, 458 app removed).
 *
 * It counts every refresh it received and every one it refused, so a test
 * can prove a refresh token was never sent twice.
 */
export interface PlatformHosts {
  url: string;
  /** Live-mode endpoints pointed here (dummy credentials: nothing checks them). */
  env: Record<string, string>;
  /** Tokens for a TikTok user, as a code exchange would have issued them at `now()`. */
  issueTikTok(opts?: { accessTtlS?: number; refreshTtlS?: number }): { accessToken: string; refreshToken: string; accessTtlS: number; refreshTtlS: number };
  /** A long-lived Instagram token issued at `now()`. */
  issueInstagram(opts?: { ttlS?: number }): { accessToken: string; ttlS: number };
  /** The end-customer withdraws the grant the token belongs to. */
  revoke(token: string): void;
  /** The next `n` refresh requests get `reply` instead of being served (they are still counted). */
  failNext(n: number, reply: Failure): void;
  /** From now on refresh requests are received (and counted) but answered only at `release()`. */
  hold(): void;
  release(): void;
  /** Requests waiting since `hold()`. */
  heldRequests(): number;
  /** Refresh requests received, per platform, in order, with the token each one sent. */
  refreshes: Array<{ platform: "tiktok" | "instagram"; token: string; outcome: "refreshed" | "refused" | "failed" }>;
  /** How many times each refresh token (TikTok) was sent: a value above 1 is a token sent twice. */
  timesSent(token: string): number;
  close(): Promise<void>;
}

export type Failure = "http_500" | "http_429" | "ig_throttled" | "tiktok_server_error";

interface Grant {
  revoked: boolean;
  /** TikTok: the authorization's refresh deadline (rotation does not renew it). */
  refreshDeadline: number;
  accessTtlS: number;
}

interface TokenRow {
  grant: Grant;
  kind: "access" | "refresh";
  issuedAt: number;
  expiresAt: number;
  used: boolean;
}

const random = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;

export async function startPlatformHosts(now: () => number): Promise<PlatformHosts> {
  const tokens = new Map<string, TokenRow>();
  const refreshes: PlatformHosts["refreshes"] = [];
  let received = 0;
  const failures: Failure[] = [];
  let held: { promise: Promise<void>; release: () => void } | undefined;

  const store = (value: string, row: TokenRow) => (tokens.set(value, row), value);
  const tiktokPair = (grant: Grant) => {
    const t = now();
    return {
      accessToken: store(random("act."), { grant, kind: "access", issuedAt: t, expiresAt: t + grant.accessTtlS * 1000, used: false }),
      refreshToken: store(random("rft."), { grant, kind: "refresh", issuedAt: t, expiresAt: grant.refreshDeadline, used: false }),
    };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://hosts");
      if (held) {
        received++;
        await held.promise;
      }
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const fail = (platform: "tiktok" | "instagram", token: string, failure: Failure) => {
        refreshes.push({ platform, token, outcome: "failed" });
        if (failure === "http_500") return json(500, { error: "internal" });
        if (failure === "http_429") return json(429, { error: { code: "rate_limit_exceeded", message: "slow down", log_id: "hosts" } });
        if (failure === "ig_throttled") return json(400, { error: { message: "Application request limit reached", type: "OAuthException", code: 4, fbtrace_id: "hosts" } });
        return json(200, { error: "server_error", error_description: "Internal error, try again", log_id: "hosts" });
      };

      if (req.method === "POST" && url.pathname === "/v2/oauth/token/") {
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        const sent = form.get("refresh_token") ?? "";
        if (form.get("grant_type") !== "refresh_token") return json(200, { error: "unsupported_grant_type", error_description: "hosts serve refreshes only", log_id: "hosts" });
        const failure = failures.shift();
        if (failure) return fail("tiktok", sent, failure);
        const row = tokens.get(sent);
        const refusal = !row || row.kind !== "refresh" ? "Refresh token is invalid." : row.used ? "Refresh token has been used." : row.grant.revoked ? "Authorization was revoked." : row.expiresAt <= now() ? "Refresh token has expired." : null;
        if (refusal || !row) {
          refreshes.push({ platform: "tiktok", token: sent, outcome: "refused" });
          return json(200, { error: "invalid_grant", error_description: refusal, log_id: "hosts" });
        }
        row.used = true;
        refreshes.push({ platform: "tiktok", token: sent, outcome: "refreshed" });
        const pair = tiktokPair(row.grant);
        return json(200, {
          access_token: pair.accessToken,
          expires_in: row.grant.accessTtlS,
          open_id: "hosts-user",
          refresh_token: pair.refreshToken,
          refresh_expires_in: Math.round((row.grant.refreshDeadline - now()) / 1000),
          scope: "user.info.basic",
          token_type: "Bearer",
        });
      }

      if (req.method === "GET" && url.pathname === "/refresh_access_token") {
        const sent = url.searchParams.get("access_token") ?? "";
        const failure = failures.shift();
        if (failure) return fail("instagram", sent, failure);
        const row = tokens.get(sent);
        const graphError = (code: number, message: string, subcode?: number) => {
          refreshes.push({ platform: "instagram", token: sent, outcome: "refused" });
          return json(400, { error: { message, type: "OAuthException", code, ...(subcode && { error_subcode: subcode }), fbtrace_id: "hosts" } });
        };
        if (!row || row.kind !== "access") return graphError(190, "Invalid OAuth access token - Cannot parse access token");
        if (row.grant.revoked) return graphError(190, "Error validating access token: The user has not authorized application.", 458);
        if (row.expiresAt <= now()) return graphError(190, "Error validating access token: Session has expired.", 463);
        if (now() - row.issuedAt < 24 * 3_600_000) return graphError(100, "The access token must be at least 24 hours old to be refreshed.");
        refreshes.push({ platform: "instagram", token: sent, outcome: "refreshed" });
        const t = now();
        const fresh = store(random("IGAA"), { grant: row.grant, kind: "access", issuedAt: t, expiresAt: t + row.grant.accessTtlS * 1000, used: false });
        return json(200, { access_token: fresh, token_type: "bearer", expires_in: row.grant.accessTtlS });
      }
      json(404, { error: { code: "not_found", message: "hosts: no such endpoint", log_id: "hosts" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    env: {
      TIKTOK_CLIENT_KEY: "hosts-client",
      TIKTOK_CLIENT_SECRET: "hosts-secret",
      TIKTOK_API_BASE_URL: url,
      INSTAGRAM_CLIENT_ID: "hosts-client",
      INSTAGRAM_CLIENT_SECRET: "hosts-secret",
      INSTAGRAM_API_BASE_URL: url,
      INSTAGRAM_GRAPH_BASE_URL: url,
    },
    issueTikTok({ accessTtlS = 86_400, refreshTtlS = 31_536_000 } = {}) {
      const grant: Grant = { revoked: false, refreshDeadline: now() + refreshTtlS * 1000, accessTtlS };
      return { ...tiktokPair(grant), accessTtlS, refreshTtlS };
    },
    issueInstagram({ ttlS = 5_183_944 } = {}) {
      const t = now();
      const grant: Grant = { revoked: false, refreshDeadline: Infinity, accessTtlS: ttlS };
      return { accessToken: store(random("IGAA"), { grant, kind: "access", issuedAt: t, expiresAt: t + ttlS * 1000, used: false }), ttlS };
    },
    revoke(token) {
      const row = tokens.get(token);
      if (!row) throw new Error("hosts: unknown token");
      row.grant.revoked = true;
    },
    failNext(n, reply) {
      for (let i = 0; i < n; i++) failures.push(reply);
    },
    hold() {
      let release = () => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      held = { promise, release };
      received = 0;
    },
    release() {
      held?.release();
      held = undefined;
    },
    heldRequests: () => received,
    refreshes,
    timesSent: (token) => refreshes.filter((r) => r.token === token).length,
    close: () =>
      new Promise((resolve) => {
        held?.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
