import { expect, type Page, test } from "@playwright/test";
import { type LiveTikTok, liveTikTokEnv, startLiveTikTok } from "../../test-support/liveTikTok";
import { api, type Instance, startInstance } from "./layers";

export interface LiveInstance {
  instance: Instance;
  /** The live TikTok stand-in live keys connect through. */
  tiktok: LiveTikTok;
  /** An lp_live_ key beside the instance's test key, with the same allowlist. */
  liveKey: string;
}

/**
 * A spec file's instance (call at the top of the file): the TikTok stand-in
 * for live keys, a live key, and the console users given, made before its
 * tests and stopped after them.
 */
export function useLiveInstance(users: Array<{ email: string; password: string; role: "owner" | "admin" | "member" }>): LiveInstance {
  const live = {} as LiveInstance;
  test.beforeAll(async () => {
    live.tiktok = await startLiveTikTok();
    live.instance = await startInstance((url) => [`${url}/connect/return`], {
      env: liveTikTokEnv(live.tiktok),
      seed: ({ url, orgId }) => [
        { args: ["keys", "create", "--org", orgId, "--name", "live", "--scopes", "social:write,social:read", "--mode", "live", "--allow", `${url}/connect/return`] },
        ...users.map((user) => ({ args: ["users", "create", "--org", orgId, "--email", user.email, "--role", user.role], input: `${user.password}\n` })),
      ],
    });
    live.liveKey = live.instance.seeded[0].key;
  });
  test.afterAll(async () => {
    await live.instance?.stop();
    await live.tiktok?.close();
  });
  return live;
}

/**
 * A live-mode TikTok connection against the stub (test-support/liveTikTok.ts):
 * oauth-url with the live key, then the platform's callback as TikTok would
 * send the browser to it, with a code naming the user the stub issues tokens
 * for. Nobody visits the stub's authorize page; it only has to be where the
 * authorize URL points.
 */
export async function connectLive(instance: Instance, liveKey: string, tiktok: LiveTikTok, user: { openId: string; username: string }) {
  const asLive = { ...instance, key: liveKey };
  const created = await api(asLive, "POST", `/v1/projects/${instance.projectId}/social/oauth-url`, { platform: "tiktok", returnUrl: `${instance.url}/connect/return` });
  expect(created.status).toBe(200);
  expect(created.body.authorizeUrl).toContain(tiktok.url);
  const code = encodeURIComponent(`${user.openId}:${user.username}`);
  const callback = await fetch(`${instance.url}/v1/social/oauth/callback/tiktok?code=${code}&state=${created.body.state}`, { redirect: "manual" });
  expect(callback.status).toBe(303);
  const status = await api(asLive, "GET", `/v1/social/oauth-status/${created.body.state}`);
  expect(status.body.status).toBe("completed");
  return { state: created.body.state as string, accountId: status.body.socialAccountId as string };
}

/**
 * A test-mode connection through the sandbox in a real browser: oauth-url
 * with the instance's test key, the sandbox consent page, Authorize, and the
 * hosted return page saying so.
 */
export async function connectSandbox(page: Page, instance: Instance, username: string) {
  const created = await api(instance, "POST", `/v1/projects/${instance.projectId}/social/oauth-url`, { platform: "tiktok", returnUrl: `${instance.url}/connect/return` });
  expect(created.status).toBe(200);
  await page.goto(created.body.authorizeUrl);
  await page.getByRole("textbox", { name: "Username" }).fill(username);
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page.getByRole("heading", { name: `Your TikTok account @${username} is connected.` })).toBeVisible();
  const status = await api(instance, "GET", `/v1/social/oauth-status/${created.body.state}`);
  return { state: created.body.state as string, accountId: status.body.socialAccountId as string };
}

/** Signs `who` in to the console at `url` and waits for the overview. */
export async function signIn(page: Page, url: string, who: { email: string; password: string }) {
  await page.goto(`${url}/console/sign-in`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}
