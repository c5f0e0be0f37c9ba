import type { NextConfig } from "next";

// Hosted pages are never framed: the platforms forbid framing their consent
// flow, and a framed connect page would invite clickjacking.
const noFraming = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // No referrer leaves for other origins (hosted URLs carry the state); same-origin
  // form posts keep a real Origin header, which the sandbox consent form checks.
  { key: "Referrer-Policy", value: "same-origin" },
];

const config: NextConfig = {
  // NEXT_DIST_DIR lets parallel work (two checkouts' test runs) keep separate builds.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // API replies are small JSON; a reverse proxy compresses better than Node.
  compress: false,
  // TikTok's API paths end in "/" (/v2/oauth/token/) and the adapters never
  // follow redirects: the sandbox must answer there, not 308 to the bare path.
  skipTrailingSlashRedirect: true,
  // Native, WASM and socket-holding packages stay outside the server bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "ioredis", "@node-rs/argon2", "proper-lockfile"],
  // The console's forms (server actions) are small; the same 64 KiB as every other body (Next's default is 1 MB).
  experimental: { serverActions: { bodySizeLimit: "64kb" } },
  async headers() {
    return [{ source: "/:path*", headers: noFraming }];
  },
};

export default config;
