/**
 * The client's network address, for throttling that a client cannot steer.
 *
 * Next fills `X-Forwarded-For` from the socket only when the request has
 * none, so behind `next start` alone a client could name any address. The
 * process's own node:http front (scripts/start.ts) therefore writes the
 * socket's address into CLIENT_ADDRESS_HEADER, replacing whatever the client
 * sent. With `LAYERS_TRUSTED_PROXY_HOPS` = N > 0, the N proxies in front of
 * this instance each appended the address they saw, so the client is the
 * entry N places from the right of socket-appended `X-Forwarded-For`.
 */
export const CLIENT_ADDRESS_HEADER = "x-layers-client-address";

/** Stands for every client when no front recorded the socket (`next dev`): they share one budget. */
export const UNKNOWN_ADDRESS = "unknown";

export function clientAddress(headers: Headers, trustedProxyHops: number): string {
  const socket = headers.get(CLIENT_ADDRESS_HEADER)?.trim() || UNKNOWN_ADDRESS;
  if (trustedProxyHops === 0) return socket;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // The chain as the last proxy saw it: what was forwarded, then the socket's peer.
  const chain = [...hops, socket];
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)]!;
}
