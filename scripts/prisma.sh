#!/usr/bin/env bash
# Runs the Prisma CLI offline. Prisma 6.19's CLI checks for a native query-engine library on every
# command and downloads it when missing; Weft uses the JS engine with the pg adapter
# (engineType = "client"), so any existing file satisfies the check and nothing is fetched.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-$here/package.json}"
export PRISMA_HIDE_UPDATE_MESSAGE=1
exec "$here/node_modules/.bin/prisma" "$@"
