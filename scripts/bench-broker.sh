#!/usr/bin/env bash
# Sourced by the benchmark scripts (make bench, bench-catalog, bench-geofence): a private Kafka
# broker, fresh for each run, so that a benchmark never fills the development broker of `make up` with its catalogs
# (a new stack replays every compacted catalog topic, and 600,000 benchmark stores made the demo
# time out), and so that every run starts from the same empty topics.
#   BENCH_KAFKA_PORT (9192) / +1 controller, data in .run/bench/kafka, BENCH_KAFKA_HEAP (512m).
# bench_broker_up starts Redis and Postgres if needed (infra/infra.sh) and this broker, and
# provisions the topics; bench_broker_down stops the broker and removes its data.

# shellcheck source=scripts/private-broker.sh
. "$root/scripts/private-broker.sh"

bench_broker_env() {
  private_broker_env "${BENCH_KAFKA_PORT:-9192}" "$root/.run/bench/kafka" "${BENCH_KAFKA_HEAP:-512m}" 180
}

bench_broker_up() {
  bench_broker_env
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
      # Our own broker from an interrupted run is stopped; anything else is someone else's.
      infra/kafka/kafka.sh down >/dev/null 2>&1 || true
      if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
        echo "[bench] port $port is taken: another benchmark, or pick another BENCH_KAFKA_PORT" >&2
        return 1
      fi
    fi
  done
  rm -rf "$KAFKA_DATA_DIR"
  infra/infra.sh up
  node dist/scripts/provision-topics.js >/dev/null
}

bench_broker_down() {
  bench_broker_env
  infra/kafka/kafka.sh down || true
  rm -rf "$KAFKA_DATA_DIR"
}

# The stack of `make bench` and `make bench-catalog`: STACK=bench on BENCH_PORT_BASE (3100), its own
# database (promotions_bench) and Redis database (8), groups prefixed bench-.
bench_stack_env() {
  export STACK=bench PORT_BASE="${BENCH_PORT_BASE:-3100}" KAFKA_GROUP_PREFIX="${KAFKA_GROUP_PREFIX:-bench-}" \
    DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promotions_bench}" \
    REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8}" ADMIN_TOKEN="${ADMIN_TOKEN:-dev-admin-token}" \
    LOG_LEVEL="${LOG_LEVEL:-warn}" EXTRA_DATABASES=promotions_bench
}

# Starts that stack from nothing: a fresh broker, database and Redis database (the catalog of an
# earlier run would otherwise pile up, 100,000 stores a run), then the six apps. Everything is
# stopped when the calling script exits.
bench_stack_up() {
  trap 'scripts/stack.sh down >/dev/null 2>&1 || true; bench_broker_down' EXIT
  bench_broker_up
  PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -d "${DATABASE_URL##*/}" -qc 'drop schema public cascade; create schema public' >/dev/null
  node dist/scripts/migrate.js
  redis-cli -n "${REDIS_URL##*/}" flushdb >/dev/null
  scripts/stack.sh down >/dev/null 2>&1 || true
  scripts/stack.sh up
}

# A benchmark against that stack: starts it, runs `node <script> [args…]` with BENCH_PORT_BASE set,
# and leaves the stopping to bench_stack_up's trap.
bench_stack_run() {
  bench_stack_env
  bench_stack_up
  BENCH_PORT_BASE="$PORT_BASE" node "$@"
}
