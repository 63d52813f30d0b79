#!/usr/bin/env bash
# Makes sure the local PostgreSQL server can `CREATE EXTENSION vector` (pgvector) and pg_trgm.
# Order: already available → Debian's postgresql-<major>-pgvector → build the vendored source
# (../shared/vendor/pgvector-0.8.6.tar.gz next to the repo, or /work/shared/vendor) with
# postgresql-server-dev-<major> → stop with instructions. Fast and idempotent when installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tarball_name="pgvector-0.8.6.tar.gz"
psql_admin() { psql -h 127.0.0.1 -U "${PGUSER:-postgres}" -d postgres -Atqc "$1"; }
available() { [ "$(psql_admin "SELECT count(*) FROM pg_available_extensions WHERE name = '$1'")" = "1" ]; }
apt_has() { command -v apt-cache >/dev/null 2>&1 && apt-cache show "$1" >/dev/null 2>&1; }
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

if available vector && available pg_trgm; then exit 0; fi

# Several checkouts may run this at once on one machine: one installs, the others wait.
exec 9>/tmp/weft-pgvector.lock
flock 9
if available vector && available pg_trgm; then exit 0; fi

major="$(psql_admin "SHOW server_version_num")"; major=$((major / 10000))

if ! available pg_trgm && apt_has "postgresql-contrib"; then
  echo "[pgvector] installing postgresql-contrib for pg_trgm"
  apt_install postgresql-contrib || true
fi
if ! available pg_trgm; then
  echo "[pgvector] the pg_trgm extension is missing: install PostgreSQL's contrib package (postgresql-contrib)" >&2
  exit 1
fi
if available vector; then exit 0; fi

if command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  if apt_has "postgresql-${major}-pgvector"; then
    echo "[pgvector] installing postgresql-${major}-pgvector"
    apt_install "postgresql-${major}-pgvector"
  fi
fi
if available vector; then echo "[pgvector] installed"; exit 0; fi

tarball=""
for dir in "$here/../../shared/vendor" "/work/shared/vendor"; do
  if [ -f "$dir/$tarball_name" ]; then tarball="$(cd "$dir" && pwd)/$tarball_name"; break; fi
done
pg_config="/usr/lib/postgresql/${major}/bin/pg_config"
# pg_config ships with the server; the headers the build needs come with postgresql-server-dev.
has_headers() { [ -x "$pg_config" ] && [ -f "$("$pg_config" --includedir-server)/postgres.h" ]; }
if [ -n "$tarball" ] && ! has_headers && apt_has "postgresql-server-dev-${major}"; then
  echo "[pgvector] installing postgresql-server-dev-${major} to build pgvector"
  apt_install "postgresql-server-dev-${major}" build-essential
fi
if [ -z "$tarball" ] || ! has_headers; then
  cat >&2 <<MSG
[pgvector] PostgreSQL ${major} has no pgvector extension and it could not be installed here.
  Install it with your package manager (e.g. apt-get install postgresql-${major}-pgvector), or build it:
  put ${tarball_name} in ../shared/vendor next to the repository, install postgresql-server-dev-${major},
  and run this script again. See https://github.com/pgvector/pgvector#installation
MSG
  exit 1
fi

echo "[pgvector] building pgvector from ${tarball} (about 2 minutes)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
tar -xzf "$tarball" -C "$build" --strip-components=1
# OPTFLAGS="" keeps the build portable (no -march=native), as distribution packages do.
make -C "$build" -s PG_CONFIG="$pg_config" OPTFLAGS="" >/dev/null
make -C "$build" -s PG_CONFIG="$pg_config" install >/dev/null
if ! available vector; then echo "[pgvector] built pgvector but PostgreSQL does not list it" >&2; exit 1; fi
echo "[pgvector] installed"
