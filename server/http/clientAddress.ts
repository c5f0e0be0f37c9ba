import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The client's network address, for throttling that a client cannot steer.
 *
 * Next fills `X-Forwarded-For` from the socket only when the request has
 * none, so behind `next start` alone a client could name any address. The
 * process's own node:http front (scripts/serve.ts) therefore writes the
 * socket's address into CLIENT_ADDRESS_HEADER, replacing whatever the client
 * sent, after a mark only this process knows: a copy a client sends itself
 * (to bare `next start`, where no front replaces it) lacks the mark and
 * counts as the unknown address. With `LAYERS_TRUSTED_PROXY_HOPS` = N > 0,
 * the N proxies in front of this instance each appended the address they
 * saw, so the client is the entry N places from the right of
 * socket-appended `X-Forwarded-For`.
 */
export const CLIENT_ADDRESS_HEADER = "x-layers-client-address";

// On globalThis: the front (bundled by scripts/serve.ts) and Next's server bundle each hold a copy of this module.
const MARK_KEY = Symbol.for("layers.clientAddressMark");

function processMark(): string {
  const holder = globalThis as { [MARK_KEY]?: string };
  return (holder[MARK_KEY] ??= randomBytes(18).toString("base64url"));
}

/** The CLIENT_ADDRESS_HEADER value that records `address` as the socket's, for this process only. */
export function recordedClientAddress(address: string): string {
  return `${processMark()} ${address}`;
}

function recordedSocket(value: string | null): string {
  const space = value?.indexOf(" ") ?? -1;
  if (!value || space <= 0) return UNKNOWN_ADDRESS;
  const mark = Buffer.from(value.slice(0, space));
  const expected = Buffer.from(processMark());
  if (mark.length !== expected.length || !timingSafeEqual(mark, expected)) return UNKNOWN_ADDRESS;
  return value.slice(space + 1).trim() || UNKNOWN_ADDRESS;
}

/** Stands for every client when no front recorded the socket (`next dev`): they share one budget. */
export const UNKNOWN_ADDRESS = "unknown";

export function clientAddress(headers: Headers, trustedProxyHops: number): string {
  const socket = recordedSocket(headers.get(CLIENT_ADDRESS_HEADER));
  if (trustedProxyHops === 0) return socket;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // The chain as the last proxy saw it: what was forwarded, then the socket's peer.
  const chain = [...hops, socket];
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)]!;
}
