import type { RequestHeaders } from "./answer";

/**
 * `Authorization: Bearer <token>` (RFC 6750 §2.1), read one way for the
 * public API's keys and the sandbox's platform tokens alike. "missing" and
 * "malformed" stay apart because the API tells the caller which it was.
 */
export type BearerCredential = { kind: "token"; token: string } | { kind: "missing" } | { kind: "malformed" };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function parseBearer(headers: RequestHeaders): BearerCredential {
  const header = headers.get("authorization");
  if (!header) return { kind: "missing" };
  const match = BEARER.exec(header);
  return match ? { kind: "token", token: match[1]! } : { kind: "malformed" };
}

/** The bearer token, or null when there is none (or it is not one). */
export function bearerToken(req: Request): string | null {
  const credential = parseBearer(req.headers);
  return credential.kind === "token" ? credential.token : null;
}
