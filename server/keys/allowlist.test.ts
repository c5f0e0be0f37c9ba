import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTenant, startTestServices, type Tenant } from "@/test-support/harness";
import { listAuditEvents } from "../audit/list";
import { domainContext } from "../domain/context";
import { orgScope } from "../domain/scope";
import { AppError } from "../errors";
import type { Services } from "../services";
import { addAllowlistEntry, alreadyOnAllowlist, listAllowlist } from "./service";

let services: Services;
let tenant: Tenant;

beforeAll(async () => {
  services = await startTestServices();
  tenant = await seedTenant(services, { allow: ["https://app.example.com/cb"] });
});
afterAll(() => services.close());

const scope = () => orgScope(tenant.orgId, { type: "system" });
const add = (url: string) => addAllowlistEntry(domainContext(services), scope(), { keyId: tenant.keyId, url });
const addedEvents = async () =>
  (await listAuditEvents(domainContext(services), scope(), {})).items.filter((e) => e.action === "allowlist.added" && e.targetId === tenant.keyId);

describe("addAllowlistEntry: a URL already on the allowlist", () => {
  it("says the URL, normalised, is already on the allowlist when it comes again with the host in capitals, and changes and audits nothing", async () => {
    const before = await addedEvents();
    const again = await add("HTTPS://APP.EXAMPLE.COM/cb");
    expect(again).toEqual({
      url: "https://app.example.com/cb",
      added: false,
      message: "https://app.example.com/cb is already on this key's allowlist.",
      allowlist: ["https://app.example.com/cb"],
    });
    expect((await listAllowlist(domainContext(services), scope(), tenant.keyId)).allowlist).toEqual(["https://app.example.com/cb"]);
    expect(await addedEvents()).toHaveLength(before.length);
  });

  it("says the same for the default port written out", async () => {
    const again = await add("https://app.example.com:443/cb");
    expect(again.added).toBe(false);
    expect(again.message).toBe(alreadyOnAllowlist("https://app.example.com/cb"));
  });

  it("adds a URL that is not there yet, says it was added with no message, and audits it once", async () => {
    const before = await addedEvents();
    const added = await add("https://App.Example.com/other");
    expect(added).toEqual({ url: "https://app.example.com/other", added: true, message: null, allowlist: ["https://app.example.com/cb", "https://app.example.com/other"] });
    const after = await addedEvents();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.data).toEqual({ url: "https://app.example.com/other" });
  });

  it("refuses a URL without a scheme with a VALIDATION error that says what is missing", async () => {
    const refused = await add("localhost:3000/cb").then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("VALIDATION");
    // The reason ends its own sentence: no full stop after the ellipsis.
    expect((refused as AppError).message).toBe(
      'Invalid allowlist entry: "localhost:3000/cb" has no scheme: write http://localhost:3000/cb (http only for localhost and 127.0.0.1) or https://…',
    );
  });
});
