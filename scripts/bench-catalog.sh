#!/usr/bin/env bash
# `make bench-catalog`: stores/s through POST /v1/stores/bulk until the geofence's Redis index holds
# them (scripts/bench-catalog.ts). Everything is the benchmark's own, as for `make bench`: a private,
# fresh broker (scripts/bench-broker.sh), the promotions_bench database, Redis database 8, and a
# stack STACK=bench on BENCH_PORT_BASE (3100); all of it is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/bench-broker.sh
. scripts/bench-broker.sh
bench_stack_run dist/scripts/bench-catalog.js
