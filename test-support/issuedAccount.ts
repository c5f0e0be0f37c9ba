import { upsertSocialAccount } from "@/server/accounts/service";
import type { DomainContext } from "@/server/domain/context";
import { modeScope, orgScope } from "@/server/domain/scope";
import type { PlatformHosts } from "./platformHosts";

/**
 * A live account holding tokens the platforms' hosts just issued, stored as
 * the callback stores them, expiring when the hosts say (their defaults: a
 * day for TikTok's access token and a year for its refresh token, 60 days
 * for Instagram's). For tests of what happens to an account after it is
 * connected: refreshes, the sweep, revocations.
 */
export async function issuedAccount(
  ctx: DomainContext,
  hosts: PlatformHosts,
  tenant: { orgId: string; projectId: string },
  platform: "tiktok" | "instagram",
  lifetimes: { accessTtlS?: number; refreshTtlS?: number; ttlS?: number } = {},
) {
  const now = ctx.clock.now();
  const tiktok = platform === "tiktok" ? hosts.issueTikTok(lifetimes) : undefined;
  const instagram = platform === "instagram" ? hosts.issueInstagram({ ttlS: lifetimes.ttlS }) : undefined;
  const accessToken = tiktok?.accessToken ?? instagram!.accessToken;
  const { id } = await upsertSocialAccount(ctx, modeScope(orgScope(tenant.orgId, { type: "system" }), "live"), {
    projectId: tenant.projectId,
    platform,
    profile: { platformUserId: `u_${Math.random().toString(36).slice(2)}`, username: "creator", displayName: null, avatarUrl: null },
    tokens: {
      accessToken,
      accessTokenExpiresAt: new Date(now + (tiktok?.accessTtlS ?? instagram!.ttlS) * 1000),
      refreshToken: tiktok?.refreshToken ?? null,
      refreshTokenExpiresAt: tiktok ? new Date(now + tiktok.refreshTtlS * 1000) : null,
      grantedScopes: null,
      platformUserId: null,
    },
    grantedScopes: [platform === "tiktok" ? "user.info.basic" : "instagram_business_basic"],
  });
  return { id, accessToken, refreshToken: tiktok?.refreshToken ?? null };
}
