/**
 * Where webhooks may go (CONTRACT.md §8): https URLs (http only to this
 * machine, in embedded mode), and, unless LAYERS_WEBHOOKS_ALLOW_PRIVATE=1,
 * only hosts whose every address is public. The rule is applied to a URL
 * at creation, and again at delivery to the very address the connection is
 * made to (`guardedLookup`), so a name that resolves elsewhere by then (DNS
 * rebinding) still cannot reach an inside address.
 */
import { type LookupAddress, lookup as dnsLookup } from "node:dns";
import { BlockList, isIP } from "node:net";

/** Addresses a webhook must never reach: this machine, private networks, link-local (cloud metadata), CGNAT, multicast, reserved. */
const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** True for an address a webhook must not reach (an IPv4-mapped IPv6 address is judged as its IPv4 one). */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

export interface AddressRules {
  /** LAYERS_WEBHOOKS_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** Embedded mode: http is allowed to this machine. */
  embedded: boolean;
}

const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why a URL cannot be a webhook endpoint's, judged on its text alone; null when it may be (its addresses are checked next). */
export function urlProblem(raw: string, rules: AddressRules): string | null {
  if (!URL.canParse(raw)) return "must be an absolute URL, like https://app.example.com/webhooks/layers";
  const url = new URL(raw);
  if (url.username || url.password) return "must not carry a user name or password";
  if (url.hash) return "must not have a #fragment";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && rules.embedded && LOCAL_NAMES.has(url.hostname)) return null;
  return rules.embedded ? "must be https (http only to localhost, in embedded mode)" : "must be https";
}

export type Lookup = (hostname: string, options: { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemLookup: Lookup = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** Every address `hostname` resolves to (an IP literal is itself). */
export function resolveAll(hostname: string, lookup: Lookup = systemLookup): Promise<LookupAddress[]> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family) return Promise.resolve([{ address: bare, family }]);
  return new Promise((resolve, reject) => lookup(bare, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

/** Why this host cannot receive webhooks under `rules`, or null: every address it resolves to must be public. */
export async function hostProblem(hostname: string, rules: AddressRules, lookup?: Lookup): Promise<string | null> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(hostname, lookup);
  } catch {
    return `host ${hostname} does not resolve`;
  }
  if (addresses.length === 0) return `host ${hostname} does not resolve`;
  if (rules.allowPrivate) return null;
  const inside = addresses.find((a) => isBlockedAddress(a.address));
  return inside ? `host ${hostname} resolves to ${inside.address}, a loopback, private or otherwise non-public address` : null;
}

export class BlockedAddressError extends Error {
  readonly code = "EBLOCKEDADDRESS";
  constructor(hostname: string, address: string) {
    super(`${hostname} resolved to ${address}, a non-public address webhooks may not reach`);
    this.name = "BlockedAddressError";
  }
}

/**
 * A `lookup` for node:http(s) that hands the socket only a public address
 * (or any, with allowPrivate): the address checked is the address connected to.
 */
export function guardedLookup(rules: Pick<AddressRules, "allowPrivate">, lookup: Lookup = systemLookup) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolveAll(hostname, lookup).then(
      (addresses) => {
        const allowed = rules.allowPrivate ? addresses : addresses.filter((a) => !isBlockedAddress(a.address));
        if (allowed.length === 0) return callback(new BlockedAddressError(hostname, addresses[0]?.address ?? "nothing"), "", 0);
        if (options.all) return callback(null, allowed);
        callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}
