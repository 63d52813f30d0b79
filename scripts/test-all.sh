#!/usr/bin/env bash
# The whole test suite: type check, unit, integration (real PostgreSQL + Redis + worker processes)
# and end-to-end (Playwright in Debian's Chromium against `npm run build` + the compiled web server (`npm start`) + the compiled worker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1

bash scripts/services.sh
bash scripts/chromium.sh

echo "== type check"
npx next typegen >/dev/null
npx tsc --noEmit -p .

echo "== unit + integration tests (the integration setup compiles the worker they start)"
npx vitest run

echo "== production build (web app and worker)"
npm run build

echo "== end-to-end tests"
E2E_SKIP_BUILD=1 npx playwright test
