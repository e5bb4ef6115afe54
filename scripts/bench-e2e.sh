#!/usr/bin/env bash
# `make bench`: starts a stack of its own (STACK=bench) on a private, fresh Kafka broker
# (scripts/bench-broker.sh), runs scripts/bench-e2e.ts against it, records each app's peak RSS
# (VmHWM), writes bench/results/latest.{json,md,svg} and stops the stack and the broker.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export STACK=bench PORT_BASE="${BENCH_PORT_BASE:-3100}" KAFKA_GROUP_PREFIX="${KAFKA_GROUP_PREFIX:-bench-}" \
  DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promotions_bench}" \
  REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8}" ADMIN_TOKEN="${ADMIN_TOKEN:-dev-admin-token}" \
  LOG_LEVEL="${LOG_LEVEL:-warn}" EXTRA_DATABASES=promotions_bench \
  QUIET_HOURS="${QUIET_HOURS:-off}" # the load runs at any hour; quiet hours would skip every promotion
# shellcheck source=scripts/bench-broker.sh
. scripts/bench-broker.sh
trap 'scripts/stack.sh down >/dev/null 2>&1 || true; bench_broker_down' EXIT
bench_broker_up
# A fresh database too: the catalog of earlier runs would otherwise pile up (100,000 stores a run).
PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -d "${DATABASE_URL##*/}" -qc 'drop schema public cascade; create schema public' >/dev/null
node dist/scripts/migrate.js
redis-cli -n "${REDIS_URL##*/}" flushdb >/dev/null
scripts/stack.sh down >/dev/null 2>&1 || true
scripts/stack.sh up
rss_file="$(mktemp)"
rc=0
node dist/scripts/bench-e2e.js || rc=$?
# Peak resident memory of each app over the run, in MB.
{
  echo "{"
  first=1
  for pidfile in .run/bench/pids/*.pid; do
    app="$(basename "$pidfile" .pid)"
    kb="$(awk '/VmHWM/ {print $2}' "/proc/$(cat "$pidfile")/status" 2>/dev/null || echo 0)"
    [[ $first -eq 1 ]] || echo ","
    first=0
    printf '  "%s": %s' "$app" "$((kb / 1024))"
  done
  echo "}"
} >"$rss_file"
node -e '
  const fs = require("fs");
  const file = `${process.env.BENCH_RESULTS || "bench/results"}/latest.json`;
  const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  results.rssMb = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
  console.log("peak RSS (MB):", JSON.stringify(results.rssMb));
' "$rss_file"
exit $rc
