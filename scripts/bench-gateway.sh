#!/usr/bin/env bash
# `make bench-gateway`: the gateway's CPU per webhook against a bare node:http floor
# (scripts/bench-gateway.ts), on the stack of `make bench` (its own broker, database and Redis
# database; scripts/bench-broker.sh), all stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/bench-broker.sh
. scripts/bench-broker.sh
bench_stack_run dist/scripts/bench-gateway.js
