#!/usr/bin/env bash
# make bench-geofence: installs PostGIS (Debian's postgresql-15-postgis-3) if missing, creates the
# bench database with the extension, starts a private redis-server (so the figures and the memory
# are the index's alone) and a private, fresh Kafka broker for (d) (scripts/bench-broker.sh, port
# BENCH_KAFKA_PORT 9192), then runs dist/scripts/bench-geofence.js. STORES=1000000 for the large run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "[bench] $*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  say "installing postgresql-15-postgis-3 from Debian's packages"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql-15-postgis-3 >/dev/null
fi

db="${BENCH_DATABASE:-geofence_bench}"
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "create database \"$db\"" >/dev/null
fi
psql -h 127.0.0.1 -U postgres -d "$db" -qc 'create extension if not exists postgis' >/dev/null

port="${BENCH_REDIS_PORT:-6390}"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --logfile /dev/null &
redis_pid=$!
cd "$root"
# shellcheck source=scripts/bench-broker.sh
. scripts/bench-broker.sh
trap 'kill "$redis_pid" 2>/dev/null || true; bench_broker_down' EXIT
for _ in $(seq 1 50); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
if [[ "${BENCH_QUICK:-}" != 1 ]]; then bench_broker_up; fi

# --expose-gc: the bench collects the garbage of filing the stores before each measured phase.
# The young generation the geofence runs with (scripts/app-node-options.json); the old space is
# larger than the app's, since this process also holds the generated stores and shares.
semi="$(node -p "(require('$root/scripts/app-node-options.json').geofence.match(/--max-semi-space-size=\\d+/) ?? [''])[0]")"
# BENCH_NODE_ARGS: more node flags for this process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
# (node refuses --cpu-prof in NODE_OPTIONS); GEOFENCE_NODE_ARGS does the same for (d)'s app.
# shellcheck disable=SC2086
BENCH_REDIS_URL="redis://127.0.0.1:$port/0" BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
  node --max-old-space-size="${BENCH_NODE_HEAP_MB:-6144}" --expose-gc $semi ${BENCH_NODE_ARGS:-} "$root/dist/scripts/bench-geofence.js"
