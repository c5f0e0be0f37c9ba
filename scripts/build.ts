/**
 * `npm run build:current`: `next build` only when there is no build or the
 * sources are newer than it (scripts/buildState.ts). `npm test` runs it
 * before the suites that need the build (the /v1 suite through Next's
 * router, the Playwright suites), so the second CI pass reuses the first's.
 */
import { buildIfStale } from "./buildState";

process.exit(buildIfStale(process.cwd()));
