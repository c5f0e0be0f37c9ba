// What bench/baseline.ts does per request; bench/run.ts prints it with the figures.
export const BASELINE_WORK = [
  "both: parse Bearer token; SELECT api_keys by public_id; SHA-256 + timingSafeEqual; mode/revoked/expired/scope checks",
  "both: rate limit = one EVALSHA on Redis of @upstash/ratelimit's fixedWindow script (INCRBY, PEXPIRE on first hit), same key shape and budget",
  "both: last_used_at UPDATE at most once a minute (same conditional UPDATE); X-Request-Id, Cache-Control and X-RateLimit-* headers",
  "POST oauth-url: JSON.parse body; SELECT project by id and org_id; WHATWG URL parse of returnUrl; SELECT allowlist entry;",
  "  state id (32 base32), PKCE verifier (48 random bytes) + SHA-256 challenge, AES-256-GCM seal of the verifier (bound to its row; the key a KeyObject made once), sandbox client secret (HKDF, derived once per process),",
  "  authorize URL via URL/searchParams; INSERT oauth_states (same columns); 200 JSON {authorizeUrl, state, expiresAt, connectUrl}",
  "GET oauth-status: SELECT * FROM oauth_states by id and api_key_id; 200 JSON (same fields)",
];
