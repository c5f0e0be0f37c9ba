import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxConsent } from "@/app/sandbox/SandboxConsent";
import { startTestServices } from "@/test-support/harness";
import { authorizeParams } from "@/test-support/sandbox";
import type { Services } from "@/server/services";
import { LIFETIME_PRESETS } from "@/server/oauth/sandbox/lifetimes";

// The consent page as the browser receives it: the lifetime choice inside
// the consent form, the revoke form beside it (forms cannot nest).

let services: Services;

beforeAll(async () => {
  services = await startTestServices();
});

afterAll(async () => {
  await services.close();
});

async function render(platform: "tiktok" | "instagram") {
  const html = renderToStaticMarkup(await SandboxConsent({ platform, searchParams: authorizeParams(services, platform) }));
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
  return { html, forms };
}

describe.each(["tiktok", "instagram"] as const)("the %s consent page", (platform) => {
  it("offers every lifetime preset as a radio of the consent form, the platform's own checked", async () => {
    const { forms } = await render(platform);
    expect(forms).toHaveLength(2);
    const [consent] = forms;
    expect(consent).toContain(`action="http://layers.test/sandbox/${platform}/consent"`);
    const radios = [...consent!.matchAll(/<input type="radio"[^>]*>/g)].map((m) => m[0]);
    expect(radios).toHaveLength(LIFETIME_PRESETS[platform].length);
    LIFETIME_PRESETS[platform].forEach((preset, i) => {
      expect(radios[i]).toContain('name="token_lifetime"');
      expect(radios[i]).toContain(`value="${preset.id}"`);
      expect(radios[i]!.includes('checked=""')).toBe(i === 0);
      expect(consent).toContain(preset.label);
    });
  });

  it("has a separate revoke form posting a username to /sandbox/:platform/revoke-access", async () => {
    const { html, forms } = await render(platform);
    expect(html).toContain("Revoke a sandbox user&#x27;s access");
    const revoke = forms[1]!;
    const tag = /^<form\b[^>]*>/.exec(revoke)![0];
    expect(tag).toContain('method="post"');
    expect(tag).toContain(`action="http://layers.test/sandbox/${platform}/revoke-access"`);
    const input = /<input id="sandbox-revoke-username"[^>]*>/.exec(revoke)![0];
    expect(input).toContain('name="username"');
    expect(input).toContain('required=""');
    expect(revoke).toMatch(/<button type="submit"[^>]*>Revoke access<\/button>/);
    expect(revoke).not.toContain("decision");
  });
});
