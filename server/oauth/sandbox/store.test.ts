import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxTokenKind, sandboxTokens } from "@/db/schema";
import { freshDatabase } from "@/test-support/freshDatabase";
import { startTestServices, type TestApi } from "@/test-support/harness";
import { postForm, read, startSandboxApi, submitConsent, tiktokCode } from "@/test-support/sandbox";
import type { Services } from "../../services";
import { redirectUri, sandboxCredentials } from "../platforms/config";
import { CODE_TTL_MS } from "./authorize";
import { sandboxUser } from "./identity";
import { PLATFORM_LIFETIMES } from "./lifetimes";
import { LONG_ROW_GRACE_MS, newGrant, pruneExpired, randomText, SHORT_ROW_GRACE_MS, storeTokens, tokenHash } from "./store";

let services: Services;
let api: TestApi;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;

// A database of its own: pruning "as of 2030" deletes every sandbox row there is, which on a shared
// PostgreSQL would include other test files' codes and tokens.
beforeAll(async () => {
  fresh = await freshDatabase();
  services = await startTestServices({ env: { DATABASE_URL: fresh.url } });
  api = await startSandboxApi();
});

afterAll(async () => {
  await api.close();
  await services.close();
  await fresh.drop();
});

const MINUTE = 60_000;

/** Stores one code or token of a fresh grant as if issued at `issuedAt`; returns its hash. */
async function issued(kind: SandboxTokenKind, issuedAt: Date, ttlMs: number): Promise<string> {
  const grant = newGrant({
    platform: "tiktok",
    clientId: "sandbox_tiktok",
    user: sandboxUser("tiktok", "prune_me")!,
    scopes: ["user.info.basic"],
    lifetimes: PLATFORM_LIFETIMES,
  });
  const value = randomText(32);
  const code = kind === "code" ? { redirectUri: redirectUri(services.config, "tiktok"), codeChallenge: null } : {};
  await storeTokens(services.database.db, grant, [{ kind, value, expiresAt: new Date(issuedAt.getTime() + ttlMs), ...code }], issuedAt);
  return tokenHash(value);
}

async function present(...hashes: string[]): Promise<string[]> {
  const rows = await services.database.db.select({ hash: sandboxTokens.tokenHash }).from(sandboxTokens).where(inArray(sandboxTokens.tokenHash, hashes));
  return hashes.filter((hash) => rows.some((row) => row.hash === hash));
}

describe("pruning sandbox codes and tokens (controlled clock)", () => {
  it("an unused code goes SHORT_ROW_GRACE_MS (minutes) after it expires; tokens stay their week", async () => {
    const t0 = new Date(Date.UTC(2030, 0, 1));
    const code = await issued("code", t0, CODE_TTL_MS.tiktok);
    const shortLived = await issued("short_lived", t0, 60 * MINUTE);
    const access = await issued("access", t0, 10 * MINUTE);
    expect(SHORT_ROW_GRACE_MS).toBeLessThanOrEqual(10 * MINUTE);

    const codeGone = t0.getTime() + CODE_TTL_MS.tiktok + SHORT_ROW_GRACE_MS;
    await pruneExpired(services.database.db, new Date(codeGone - 1));
    expect(await present(code, shortLived, access)).toEqual([code, shortLived, access]);
    await pruneExpired(services.database.db, new Date(codeGone + 1));
    expect(await present(code, shortLived, access)).toEqual([shortLived, access]);

    // Instagram's short-lived token (an hour) follows the same rule; access tokens do not.
    await pruneExpired(services.database.db, new Date(t0.getTime() + 60 * MINUTE + SHORT_ROW_GRACE_MS + 1));
    expect(await present(shortLived, access)).toEqual([access]);
    await pruneExpired(services.database.db, new Date(t0.getTime() + 10 * MINUTE + LONG_ROW_GRACE_MS + 1));
    expect(await present(access)).toEqual([]);
  });

  it("a consent prunes codes abandoned earlier", async () => {
    const abandoned = await issued("code", new Date(Date.now() - 2 * 3_600_000), CODE_TTL_MS.tiktok);
    const { response } = await submitConsent(api, services, "instagram");
    expect(response.status).toBe(303);
    expect(await present(abandoned)).toEqual([]);
  });

  it("a code exchange prunes them too, so a flow that ends without another consent leaves none behind", async () => {
    const { code, verifier } = await tiktokCode(api, services);
    const abandoned = await issued("code", new Date(Date.now() - 2 * 3_600_000), CODE_TTL_MS.tiktok);
    const credentials = sandboxCredentials(services.config, "tiktok");
    const reply = await postForm(api, "/sandbox/tiktok/v2/oauth/token/", {
      client_key: credentials.clientId,
      client_secret: credentials.clientSecret,
      code,
      code_verifier: verifier,
      grant_type: "authorization_code",
      redirect_uri: redirectUri(services.config, "tiktok"),
    }).then(read);
    expect(reply.body.access_token).toMatch(/^act\./);
    expect(await present(abandoned)).toEqual([]);
    // The code just redeemed is still there: it must keep answering "already been used".
    const [row] = await services.database.db.select().from(sandboxTokens).where(eq(sandboxTokens.tokenHash, tokenHash(code)));
    expect(row?.usedAt).toBeInstanceOf(Date);
  });
});
