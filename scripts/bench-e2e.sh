#!/usr/bin/env bash
# `make bench`: starts a stack of its own (STACK=bench) on a private, fresh Kafka broker
# (scripts/bench-broker.sh), runs scripts/bench-e2e.ts against it, records each app's peak RSS
# (VmHWM), writes bench/results/latest.{json,md,svg} and stops the stack and the broker.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/bench-broker.sh
. scripts/bench-broker.sh
bench_stack_env
export QUIET_HOURS="${QUIET_HOURS:-off}" # the load runs at any hour; quiet hours would skip every promotion
bench_stack_up
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
