#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis are up on 127.0.0.1, starting them when they are installed
# but stopped. Installs them from Debian's packages only when they are missing entirely.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  echo "[services] installing postgresql and redis-server from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
fi

if ! pg_up; then
  echo "[services] starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! redis_up; then
  echo "[services] starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

up=false
for _ in $(seq 1 30); do
  if pg_up && redis_up; then up=true; break; fi
  sleep 1
done
if [ "$up" != true ]; then echo "[services] PostgreSQL or Redis did not come up" >&2; exit 1; fi
echo "[services] PostgreSQL and Redis are up"

# Knowledge bases need the pgvector extension (and pg_trgm from contrib). Migrations run
# CREATE EXTENSION; this only makes sure the extension files are installed in the server.
bash "$(dirname "${BASH_SOURCE[0]}")/pgvector.sh"
