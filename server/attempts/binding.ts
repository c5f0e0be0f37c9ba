/**
 * Binding an attempt to one browser (issue 8 item 9). A state is a bearer
 * secret, and the hosted connect link carries it: whoever presses the link's
 * button first gets a random token in a cookie, and the attempt keeps only
 * the token's SHA-256. From then on only that browser may go to the platform
 * from the hosted page, and only that browser's callback can finish it.
 * Attempts nobody pressed (integrators who send the authorizeUrl themselves)
 * stay unbound and behave as before.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, gt, inArray, isNull, or } from "drizzle-orm";
import { z } from "zod";
import { oauthStates } from "@/db/schema";
import type { DomainContext } from "../domain/context";

/** 32 random bytes, base64url: what the cookie holds. */
const bindingToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const newBindingToken = (): string => randomBytes(32).toString("base64url");

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * `__Host-` pins the cookie to this host, path `/` and Secure, so no sibling
 * subdomain or plain-http page can plant or overwrite it. Browsers keep a
 * Secure cookie only from a secure context: https, or http on a loopback host
 * (Chromium and Firefox treat those as secure). On any other plain-http
 * public URL the prefixed cookie would be dropped and no browser could ever
 * go on, so the cookie loses the prefix and Secure there: such a deployment
 * shows the state itself to anyone on the network, and the cookie cannot be
 * better protected than the state it guards.
 */
export function bindingCookieSpec(publicUrl: string): { name: string; secure: boolean } {
  const url = new URL(publicUrl);
  const secure = url.protocol === "https:" || LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");
  return secure ? { name: "__Host-layers_connect", secure } : { name: "layers_connect", secure };
}

/** The binding token this request's browser holds, if it holds a well-formed one. */
export function readBindingToken(cookieHeader: string | null, publicUrl: string): string | null {
  if (!cookieHeader) return null;
  const { name } = bindingCookieSpec(publicUrl);
  for (const pair of cookieHeader.split(";")) {
    const at = pair.indexOf("=");
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const parsed = bindingToken.safeParse(pair.slice(at + 1).trim());
    if (parsed.success) return parsed.data;
  }
  return null;
}

/**
 * The Set-Cookie value. One token per browser serves every attempt it opens
 * (two tabs, two platforms); it lives as long as a fresh state, so it always
 * outlasts the attempt that was just pressed.
 */
export function bindingCookieHeader(token: string, publicUrl: string, maxAgeSeconds: number): string {
  const { name, secure } = bindingCookieSpec(publicUrl);
  return `${name}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** Whether a browser holding `token` may act on the attempt: always for an unbound one. */
export function bindingAllows(attempt: { browserBindingHash: string | null }, token: string | null): boolean {
  if (attempt.browserBindingHash === null) return true;
  if (token === null) return false;
  const presented = Buffer.from(hashOf(token));
  const stored = Buffer.from(attempt.browserBindingHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/**
 * Binds a live attempt to `token`, or confirms it is already bound to it: one
 * conditional UPDATE, so of two browsers pressing at once exactly one wins.
 * False when another browser holds it, or it is no longer pending.
 */
export async function bindAttempt(ctx: DomainContext, id: string, token: string, now = new Date()): Promise<boolean> {
  const hash = hashOf(token);
  const bound = await ctx.db
    .update(oauthStates)
    .set({ browserBindingHash: hash })
    .where(
      and(
        eq(oauthStates.id, id),
        or(isNull(oauthStates.browserBindingHash), eq(oauthStates.browserBindingHash, hash)),
        inArray(oauthStates.status, ["pending", "processing"]),
        gt(oauthStates.expiresAt, now),
      ),
    )
    .returning({ id: oauthStates.id });
  return bound.length > 0;
}
