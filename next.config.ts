import type { NextConfig } from "next";
import { HEADER_RULES } from "./server/http/securityHeaders";

const config: NextConfig = {
  // NEXT_DIST_DIR lets parallel work (two checkouts' test runs) keep separate builds.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // \`npm test\` type-checks the whole project (tsc --noEmit) before anything
  // builds; checking again here took about 40 s of every build.
  typescript: { ignoreBuildErrors: true },
  // API replies are small JSON; a reverse proxy compresses better than Node.
  compress: false,
  // TikTok's API paths end in "/" (/v2/oauth/token/) and the adapters never
  // follow redirects: the sandbox must answer there, not 308 to the bare path.
  skipTrailingSlashRedirect: true,
  // Native, WASM and socket-holding packages stay outside the server bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "ioredis", "@node-rs/argon2", "proper-lockfile"],
  // The console's forms (server actions) are small; the same 64 KiB as every other body (Next's default is 1 MB).
  // Route modules load on first use instead of all at start: about 30 MB less memory (/v1 is loaded by the front anyway).
  experimental: { serverActions: { bodySizeLimit: "64kb" }, preloadEntriesOnStart: false },
  async headers() {
    return HEADER_RULES;
  },
};

export default config;
