import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { SDK_TYPES_FILE, sdkTypesText } from "../../../scripts/sdkTypes";
import type { components } from "../src/schema";
import type { OAuthAttempt, SocialAccount, WebhookEvent, WebhookEventType } from "../src/index";

/**
 * The package as a package: its types are generated from the committed
 * openapi.json (and fail here when stale), and it builds with its own
 * tsconfig into an ESM module with declarations that imports nothing but
 * itself.
 */
const sdk = join(import.meta.dirname, "..");
const root = join(sdk, "..", "..");
const outDir = mkdtempSync(join(tmpdir(), "layers-sdk-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("src/schema.ts", () => {
  it("is what openapi-typescript makes of the committed openapi.json (else: run npm run sdk:types)", async () => {
    const fresh = await sdkTypesText();
    const committed = readFileSync(SDK_TYPES_FILE, "utf8");
    expect(committed === fresh, "sdk/typescript/src/schema.ts is stale: run npm run sdk:types and commit it").toBe(true);
  });

  it("gives the SDK its public types, and the webhook event union covers every event type", () => {
    expectTypeOf<SocialAccount>().toEqualTypeOf<components["schemas"]["SocialAccount"]>();
    expectTypeOf<OAuthAttempt["status"]>().toEqualTypeOf<"pending" | "completed" | "failed" | "expired">();
    expectTypeOf<WebhookEvent["type"]>().toEqualTypeOf<WebhookEventType>();
    expectTypeOf<WebhookEventType>().toEqualTypeOf<components["schemas"]["WebhookEndpoint"]["events"][number]>();
  });
});

describe("the package", () => {
  it("builds with its own tsconfig into ESM with declarations, where package.json's exports point", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    execFileSync(process.execPath, [tsc, "-p", sdk, "--outDir", outDir], { stdio: "pipe" });
    const manifest = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "@layers-connect/sdk", type: "module", files: ["dist"] });
    expect(manifest.dependencies).toBeUndefined();
    const entry = manifest.exports["."] as { types: string; import: string };
    for (const file of [entry.types, entry.import]) expect(existsSync(join(outDir, file.replace(/^\.\/dist\//, "")))).toBe(true);
  });

  it("imports nothing but its own files once built, and works from the build", async () => {
    const built = ["index", "client", "errors", "resources", "transport", "webhooks", "types", "schema"].map((name) => join(outDir, `${name}.js`));
    for (const file of built) {
      const imports = [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(imports.filter((specifier) => !specifier.startsWith("./")), file).toEqual([]);
    }
    const { Layers } = (await import(pathToFileURL(join(outDir, "index.js")).href)) as typeof import("../src/index");
    const secret = `whsec_${Buffer.from("k".repeat(32)).toString("base64")}`;
    const body = JSON.stringify({ type: "webhook.test", timestamp: new Date().toISOString(), data: { endpointId: "we_1" } });
    const at = new Date();
    const headers = { "webhook-id": "evt_1", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign("evt_1", at, body) };
    expect(await Layers.webhooks.verify(body, headers, secret)).toMatchObject({ type: "webhook.test" });
  });
});
