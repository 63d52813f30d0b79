#!/usr/bin/env bash
# One command from a fresh clone to a running Weft: installs dependencies, checks PostgreSQL and
# Redis, writes .env with generated secrets, migrates, seeds the demo workspace, builds, and runs
# the web app, one worker and the local demo model until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1
PORT="${PORT:-3000}"

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Weft needs Node >= 20.19, found "+process.versions.node); process.exit(1) }'

bash scripts/services.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[quickstart] installing npm packages"
  npm ci --no-audit --no-fund
fi

if [ ! -f .env ]; then
  echo "[quickstart] writing .env with fresh secrets"
  secret_key=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')
  auth_secret=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
  sed -e "s#^WEFT_SECRET_KEYS=.*#WEFT_SECRET_KEYS=k1:${secret_key}#" \
      -e "s#^BETTER_AUTH_SECRET=.*#BETTER_AUTH_SECRET=${auth_secret}#" \
      -e "s#^BETTER_AUTH_URL=.*#BETTER_AUTH_URL=http://localhost:${PORT}#" \
      .env.example > .env
fi
set -a; source .env; set +a
# Private networks stay closed: the seed allow-lists only the demo model (127.0.0.1:4010) for the
# demo workspace. A .env written by an older quick start still has the global switch on.
if [ "${WEFT_ALLOW_PRIVATE_NETWORK:-false}" = "true" ]; then
  echo "[quickstart] WARNING: .env sets WEFT_ALLOW_PRIVATE_NETWORK=true, which lets every workspace reach private networks."
  echo "[quickstart]          The quick start no longer needs it; set it to false in .env (Settings → Network allows single hosts)."
fi

echo "[quickstart] migrating ${DATABASE_URL%%\?*}"
node --import tsx scripts/db-setup.ts
node --import tsx prisma/seed.ts

echo "[quickstart] building the web app and the worker"
npm run build

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

node --import tsx scripts/demo-model.ts --port 4010 & pids+=($!)
node --enable-source-maps --max-semi-space-size=4 --liftoff-only --interrupt-budget=16896 dist/worker/run-worker.mjs & pids+=($!)   # npm run worker, without npm in between
node --max-semi-space-size=2 --interrupt-budget=16896 dist/web/server.mjs -p "$PORT" & pids+=($!)   # npm start, without npm in between

for _ in $(seq 1 60); do curl -fs "http://localhost:${PORT}/sign-in" >/dev/null 2>&1 && break; sleep 1; done
cat <<MSG

  Weft is running at http://localhost:${PORT}
  Sign in as demo@weft.local / weft-demo-1234
  (the demo model echoes prompts; add a real provider in Settings → Models)
  New accounts: WEFT_SIGNUP=${WEFT_SIGNUP:-invite} (set WEFT_SIGNUP=open in .env to let anyone sign up).
  Ctrl-C stops the web app, the worker and the demo model.

MSG
wait -n "${pids[@]}"
