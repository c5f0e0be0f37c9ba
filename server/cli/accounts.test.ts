/**
 * `ladmin accounts refresh` in-process, against a live account whose tokens
 * TikTok's token host (test-support/platformHosts.ts) issued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertSocialAccount } from "@/server/accounts/service";
import { socialAccount } from "@/server/contract/api";
import { domainContext } from "@/server/domain/context";
import { modeScope, orgScope } from "@/server/domain/scope";
import type { Services } from "@/server/services";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { type PlatformHosts, startPlatformHosts } from "@/test-support/platformHosts";
import { runLadmin } from "@/test-support/ladmin";

let hosts: PlatformHosts;
let services: Services;
let tenant: Tenant;

beforeAll(async () => {
  hosts = await startPlatformHosts(() => Date.now());
  services = await startTestServices({ env: hosts.env });
  tenant = await seedTenant(services, { mode: "live" });
});
afterAll(async () => {
  await services.close();
  await hosts.close();
});

const ladmin = (args: string[]) => runLadmin(services, args);

async function account() {
  const issued = hosts.issueTikTok();
  return upsertSocialAccount(domainContext(services), modeScope(orgScope(tenant.orgId, { type: "system" }), "live"), {
    projectId: tenant.projectId,
    platform: "tiktok",
    profile: { platformUserId: `u_${Math.random().toString(36).slice(2)}`, username: "cli_creator", displayName: null, avatarUrl: null },
    tokens: {
      accessToken: issued.accessToken,
      accessTokenExpiresAt: new Date(Date.now() + 86_400_000),
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: new Date(Date.now() + 31_536_000_000),
      grantedScopes: null,
      platformUserId: null,
    },
    grantedScopes: ["user.info.basic"],
  }).then((made) => ({ ...made, refreshToken: issued.refreshToken }));
}

describe("ladmin accounts refresh", () => {
  it("refreshes now and prints the account as the REST API shows it", async () => {
    const { id } = await account();
    const result = await ladmin(["accounts", "refresh", id, "--json"]);
    expect(result).toMatchObject({ status: 0, stderr: "" });
    const printed = JSON.parse(result.stdout);
    expect(socialAccount.parse(printed)).toEqual(printed);
    expect(printed).toMatchObject({ id, status: "active", livemode: true });
    expect(printed.lastRefreshedAt).not.toBeNull();

    const human = await ladmin(["accounts", "refresh", id]);
    expect(human.stdout).toMatch(new RegExp(`^Refreshed tiktok account ${id} \\(@cli_creator\\); access token valid until \\S+\\.\\n$`));
  });

  it("a refusal for good exits 1 with one line saying the end-customer must reconnect", async () => {
    const { id, refreshToken } = await account();
    hosts.revoke(refreshToken);
    const result = await ladmin(["accounts", "refresh", id]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^ladmin: Social account sa_\w+ needs the end-customer: .*reconnect it.*\n$/);
  });

  it("a platform that does not answer exits 1 naming the platform, not the database", async () => {
    const { id } = await account();
    hosts.failNext(1, "http_500");
    const result = await ladmin(["accounts", "refresh", id]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/TikTok did not complete the refresh/);
  });

  it("refuses a malformed account id with exit 2, and an unknown one as not found with exit 1", async () => {
    expect(await ladmin(["accounts", "refresh", "acct_1"])).toMatchObject({ status: 2, stdout: "" });
    const unknown = await ladmin(["accounts", "refresh", "sa_01HXZ8K2M4P5QRS6TV7WXYZ9AB"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);
  });
});
