import { expect, type Page } from "@playwright/test";
import type { LiveTikTok } from "../../test-support/liveTikTok";
import { api, type Instance } from "./layers";

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
