#!/usr/bin/env bash
# `make bench-catalog`: stores/s through POST /v1/stores/bulk until the geofence's Redis index holds
# them (scripts/bench-catalog.ts). Everything is the benchmark's own, as for `make bench`: a private,
# fresh broker (scripts/bench-broker.sh), the promotions_bench database, Redis database 8, and a
# stack STACK=bench on BENCH_PORT_BASE (3100); all of it is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export STACK=bench PORT_BASE="${BENCH_PORT_BASE:-3100}" KAFKA_GROUP_PREFIX="${KAFKA_GROUP_PREFIX:-bench-}" \
  DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promotions_bench}" \
  REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8}" ADMIN_TOKEN="${ADMIN_TOKEN:-dev-admin-token}" \
  LOG_LEVEL="${LOG_LEVEL:-warn}" EXTRA_DATABASES=promotions_bench
# shellcheck source=scripts/bench-broker.sh
. scripts/bench-broker.sh
trap 'scripts/stack.sh down >/dev/null 2>&1 || true; bench_broker_down' EXIT
bench_broker_up
PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -d "${DATABASE_URL##*/}" -qc 'drop schema public cascade; create schema public' >/dev/null
node dist/scripts/migrate.js
redis-cli -n "${REDIS_URL##*/}" flushdb >/dev/null
scripts/stack.sh down >/dev/null 2>&1 || true
scripts/stack.sh up
BENCH_PORT_BASE="$PORT_BASE" node dist/scripts/bench-catalog.js
