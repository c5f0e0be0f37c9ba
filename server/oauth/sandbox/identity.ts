import { createHash } from "node:crypto";
import type { Platform } from "@/db/schema";
import { SANDBOX_PATH } from "../platforms/config";

export const DEFAULT_SANDBOX_USERNAME = "sandbox_creator";

/** Letters, digits, `.` and `_` (what both platforms allow in a handle); stored lowercased. */
export const SANDBOX_USERNAME_PATTERN = "[A-Za-z0-9._]{2,30}";
const USERNAME = new RegExp(`^${SANDBOX_USERNAME_PATTERN}$`);

/**
 * A sandbox account. Everything follows from platform + username, so typing
 * the same name again reconnects the same account and a new name makes
 * another one, with no table of users to manage.
 */
export interface SandboxUser {
  platform: Platform;
  username: string;
  displayName: string;
  /** TikTok open_id, or Instagram user_id (20 digits, above 2^53: the big-id path gets exercised). */
  userId: string;
}

/** The account for a typed username, or null when the name is not a valid handle. */
export function sandboxUser(platform: Platform, typed: string | null | undefined): SandboxUser | null {
  const username = (typed ?? "").trim().toLowerCase();
  if (!USERNAME.test(username)) return null;
  return { platform, username, displayName: displayNameFor(username), userId: userIdFor(platform, username) };
}

function digest(...parts: string[]): Buffer {
  return createHash("sha256").update(`layers-sandbox:${parts.join(":")}`).digest();
}

function userIdFor(platform: Platform, username: string): string {
  const hash = digest(platform, "user", username);
  if (platform === "tiktok") return `sbx_${hash.subarray(0, 16).toString("hex")}`;
  // 1784140 + 13 digits: shaped like real Instagram professional-account ids, but 20 digits long.
  const tail = BigInt(`0x${hash.subarray(0, 8).toString("hex")}`) % 10n ** 13n;
  return `1784140${tail.toString().padStart(13, "0")}`;
}

/** "sandbox_creator" → "Sandbox Creator". */
function displayNameFor(username: string): string {
  const words = username.split(/[._]+/).filter(Boolean);
  return words.length ? words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ") : username;
}

/** TikTok's union_id (the same person across one developer's apps); distinct from open_id like the real one. */
export const tiktokUnionId = (user: SandboxUser) => `sbx_u_${digest("tiktok", "union", user.username).subarray(0, 16).toString("hex")}`;

/** Instagram's app-scoped `id`, which Graph adds to every /me reply; not the same number as `user_id`. */
export function instagramAppScopedId(user: SandboxUser): string {
  const n = BigInt(`0x${digest("instagram", "app-scoped", user.username).subarray(0, 8).toString("hex")}`) % 10n ** 15n;
  return `2${n.toString().padStart(15, "0")}`;
}

/** Stable made-up numbers for counters (followers, likes...). */
export function sandboxCount(user: SandboxUser, what: string, max: number): number {
  return digest(user.platform, what, user.username).readUInt32BE(0) % max;
}

/** The avatar this instance serves for the account (an SVG with the initials). */
export const sandboxAvatarUrl = (publicUrl: string, user: SandboxUser) =>
  `${publicUrl}${SANDBOX_PATH}/avatar/${encodeURIComponent(user.username)}`;

/** GET /sandbox/avatar/:username: a deterministic SVG, the initials on a colour picked from the name. */
export function avatarResponse(typedUsername: string): Response {
  const user = sandboxUser("tiktok", typedUsername);
  if (!user) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const initials = user.displayName
    .split(" ")
    .map((w) => w[0]!)
    .join("")
    .slice(0, 2)
    .toUpperCase();
  const hue = digest("avatar", user.username).readUInt16BE(0) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><rect width="256" height="256" fill="hsl(${hue} 55% 38%)"/><text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="104" font-weight="600" fill="#fff">${initials}</text></svg>`;
  return new Response(svg, {
    headers: {
      "Content-Type": "image/svg+xml",
      "Cache-Control": "public, max-age=86400",
      // An SVG opened directly is a document: its path has the strict policy (securityHeaders.ts), which lets it run nothing.
    },
  });
}
