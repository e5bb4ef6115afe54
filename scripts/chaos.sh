#!/usr/bin/env bash
# `make chaos`: the stack under load while its processes, the broker and Redis fail
# (scripts/chaos.ts). Everything it breaks is its own, never the machine's shared services:
#   a private Kafka broker  CHAOS_KAFKA_PORT (9292) / +1 controller, data in .run/chaos/kafka
#   a private Redis         CHAOS_REDIS_PORT (6392), append-only, data in .run/chaos/redis
#   its own database        CHAOS_DATABASE (promotions_chaos) on the machine's Postgres
#   its own stack           STACK=CHAOS_STACK (chaos), ports CHAOS_PORT_BASE (4600)..+4, simulator +900
# All of it is stopped at the end, also on failure or Ctrl-C. Writes CHAOS_RESULTS
# (bench/results/chaos.json); exits non-zero when a promotion was lost or duplicated.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export STACK="${CHAOS_STACK:-chaos}"
export PORT_BASE="${CHAOS_PORT_BASE:-4600}"
export CHAOS_REDIS_PORT="${CHAOS_REDIS_PORT:-6392}"
# shellcheck source=scripts/private-broker.sh
. scripts/private-broker.sh
# A loaded machine starts a broker slowly: up to 300 s.
private_broker_env "${CHAOS_KAFKA_PORT:-9292}" "$root/.run/$STACK/kafka" "${CHAOS_KAFKA_HEAP:-384m}" 300
database="${CHAOS_DATABASE:-promotions_chaos}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$database"
export LOG_LEVEL="${LOG_LEVEL:-info}"

say() { echo "[chaos] $*"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  say "stopping the chaos stack, its broker and its Redis"
  scripts/stack.sh down >/dev/null 2>&1 || true
  infra/kafka/kafka.sh down || true
  scripts/chaos-redis.sh down || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$CHAOS_REDIS_PORT"; do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
    say "port $port is taken: another chaos run, or pick other CHAOS_KAFKA_PORT / CHAOS_REDIS_PORT" >&2
    exit 1
  fi
done

pg_isready -q -h 127.0.0.1 -p 5432 || { say "PostgreSQL does not answer on 127.0.0.1:5432 (make infra)" >&2; exit 1; }
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname = '$database'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "create database \"$database\"" >/dev/null
fi
# Each run starts from nothing: a fresh broker, Redis and database.
scripts/stack.sh down >/dev/null 2>&1 || true
rm -rf "$KAFKA_DATA_DIR"
scripts/chaos-redis.sh fresh
infra/kafka/kafka.sh up
node dist/scripts/provision-topics.js >/dev/null
PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -d "$database" -qc 'drop schema public cascade; create schema public' >/dev/null
node dist/scripts/migrate.js >/dev/null
node dist/scripts/chaos.js
