import { createHash, randomBytes } from "node:crypto";

/** A 64-char verifier from the RFC 7636 unreserved alphabet (base64url is a subset). */
export const newCodeVerifier = () => randomBytes(48).toString("base64url");

/**
 * TikTok's docs define the S256 challenge as the hex SHA-256 of the verifier
 * (PLATFORMS.md); RFC 7636 uses base64url. Hex is what TikTok documents.
 */
export function codeChallenge(verifier: string, encoding: "hex" | "base64url" = "hex"): string {
  return createHash("sha256").update(verifier).digest(encoding);
}
