#!/usr/bin/env bash
# `npm test`: every test, in the order the README's Tests section gives.
#   VITEST_ONLY=1  only the vitest suites (with the SDK build they check), the
#                  part that depends on the database mode (.ci/run's second pass)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

if [ "${VITEST_ONLY:-}" = 1 ]; then
  exec npm run test:unit
fi

# The type check runs beside the vitest suites: they wait on databases and
# sockets much of the time, and neither needs the other's result.
tsc --noEmit &
typecheck=$!
unit=0
npm run test:unit || unit=$?
typecheck_status=0
wait "$typecheck" || typecheck_status=$?
if [ "$typecheck_status" != 0 ]; then echo "npm test: the type check failed" >&2; exit "$typecheck_status"; fi
if [ "$unit" != 0 ]; then exit "$unit"; fi

npm run test:built
E2E_SKIP_BUILD=1 playwright test --project=e2e --project=security --project=security-next
