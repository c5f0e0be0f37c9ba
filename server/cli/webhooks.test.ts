/**
 * `ladmin webhooks create / list / delete` in-process (CONTRACT.md §5).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SCOPES } from "@/server/contract/vocabulary";
import type { Services } from "@/server/services";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { runLadmin } from "@/test-support/ladmin";

let services: Services;
let tenant: Tenant;

beforeAll(async () => {
  services = await startTestServices({ env: { LAYERS_WEBHOOKS_ALLOW_PRIVATE: "0" } });
  tenant = await seedTenant(services, { scopes: [...API_SCOPES] });
});
afterAll(() => services.close());

const ladmin = (args: string[]) => runLadmin(services, args);

describe("ladmin webhooks", () => {
  it("creates (printing the secret once), lists both modes without secrets, and deletes", async () => {
    const created = await ladmin(["webhooks", "create", "--project", tenant.projectId, "--url", "https://93.184.216.34/hooks", "--events", "social_account.connected,oauth_attempt.failed", "--json"]);
    expect(created).toMatchObject({ status: 0, stderr: "" });
    const { id, secret } = JSON.parse(created.stdout);
    expect(Object.keys(JSON.parse(created.stdout)).sort()).toEqual(["id", "secret"]);
    expect([id, secret]).toEqual([expect.stringMatching(/^we_/), expect.stringMatching(/^whsec_/)]);
    const testMode = await ladmin(["webhooks", "create", "--project", tenant.projectId, "--url", "https://93.184.216.34/test-hooks", "--mode", "test", "--json"]);
    expect(testMode.status).toBe(0);

    const listed = await ladmin(["webhooks", "list", "--project", tenant.projectId, "--json"]);
    const { data } = JSON.parse(listed.stdout);
    expect(data.map((e: { id: string; mode: string; events: string[] }) => [e.id, e.mode])).toEqual(
      expect.arrayContaining([[id, "live"], [JSON.parse(testMode.stdout).id, "test"]]),
    );
    expect(listed.stdout).not.toContain(secret.slice(6));

    expect(JSON.parse((await ladmin(["webhooks", "delete", id, "--json"])).stdout)).toEqual({ id });
    expect(await ladmin(["webhooks", "delete", id])).toMatchObject({ status: 1, stderr: expect.stringMatching(/not found/) });
  });

  it("refuses bad arguments with exit 2 and one line, before the database", async () => {
    const badEvents = await ladmin(["webhooks", "create", "--project", tenant.projectId, "--url", "https://93.184.216.34/x", "--events", "everything"]);
    expect(badEvents).toMatchObject({ status: 2, stderr: expect.stringMatching(/^ladmin: --events must be a comma-separated list of .* \(unknown: everything\)\n$/) });
    expect((await ladmin(["webhooks", "delete", "hook_1"])).status).toBe(2);
    expect((await ladmin(["webhooks", "list", "--project", "prj_nope"])).status).toBe(2);
  });

  it("says what is wrong with a URL the rules refuse", async () => {
    const refused = await ladmin(["webhooks", "create", "--project", tenant.projectId, "--url", "https://localhost:8443/hooks"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^ladmin: URL: host localhost resolves to .*non-public address\n$/);
  });
});
