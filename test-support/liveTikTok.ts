import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for TikTok's live hosts (TIKTOK_API_BASE_URL), for tests that
 * need live-mode accounts without real credentials: it answers the token,
 * user-info and revoke calls as TikTok does on the wire, and records every
 * call, so a test can prove that a live token was, or was not, revoked.
 *
 * The authorization code names the user it stands for: `code` =
 * `<open_id>:<username>`, so a test picks the platform user id of the account
 * the callback will store (the same id as a sandbox account, say).
 *
 * No vitest and no `@/` imports: the Playwright suites use it too.
 */
export interface LiveTikTok {
  url: string;
  /** Every call received, in order: method, path, and the form it carried. */
  calls: Array<{ method: string; path: string; form: URLSearchParams }>;
  /** The access tokens the revoke endpoint was asked to revoke. */
  revoked(): string[];
  /** How many authorization-code exchanges reached the token endpoint. */
  codeExchanges(): number;
  /**
   * From now on the token endpoint records each call but answers none until
   * `release()` (the fault suite kills a server while its exchanges hang here).
   */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** The env that points live TikTok at the stub (dummy credentials: the stub checks none). */
export function liveTikTokEnv(stub: Pick<LiveTikTok, "url">): Record<string, string> {
  return {
    TIKTOK_CLIENT_KEY: "live-test-client",
    TIKTOK_CLIENT_SECRET: "live-test-secret",
    TIKTOK_AUTHORIZE_URL: `${stub.url}/v2/auth/authorize/`,
    TIKTOK_API_BASE_URL: stub.url,
  };
}

export async function startLiveTikTok(): Promise<LiveTikTok> {
  const calls: LiveTikTok["calls"] = [];
  // access token → the user it was issued for
  const users = new Map<string, { openId: string; username: string }>();
  let issued = 0;
  let held: { promise: Promise<void>; release: () => void } | undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      calls.push({ method: req.method ?? "GET", path: url.pathname, form });
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method === "POST" && url.pathname === "/v2/oauth/token/") {
        if (held) await held.promise;
        const [openId, username] = (form.get("code") ?? "").split(":");
        if (!openId || !username) return json(200, { error: "invalid_grant", error_description: "Authorization code is invalid." });
        const accessToken = `act.live.${++issued}`;
        users.set(accessToken, { openId, username });
        return json(200, {
          access_token: accessToken,
          expires_in: 86_400,
          open_id: openId,
          refresh_token: `rft.live.${issued}`,
          refresh_expires_in: 31_536_000,
          scope: "user.info.basic,user.info.profile",
          token_type: "Bearer",
        });
      }
      if (req.method === "GET" && url.pathname === "/v2/user/info/") {
        const user = users.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
        if (!user) return json(401, { data: {}, error: { code: "access_token_invalid", message: "The access token is invalid.", log_id: "stub" } });
        return json(200, {
          data: { user: { open_id: user.openId, union_id: `u_${user.openId}`, avatar_url: null, display_name: user.username, username: user.username } },
          error: { code: "ok", message: "", log_id: "stub" },
        });
      }
      if (req.method === "POST" && url.pathname === "/v2/oauth/revoke/") {
        res.writeHead(200);
        return res.end();
      }
      json(404, { error: { code: "not_found", message: "stub: no such endpoint", log_id: "stub" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    revoked: () => calls.filter((c) => c.path === "/v2/oauth/revoke/").map((c) => c.form.get("token") ?? ""),
    codeExchanges: () => calls.filter((c) => c.path === "/v2/oauth/token/" && c.form.get("grant_type") === "authorization_code").length,
    hold: () => {
      let release = () => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      held = { promise, release };
    },
    release: () => {
      held?.release();
      held = undefined;
    },
    close: () =>
      new Promise((resolve) => {
        held?.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
