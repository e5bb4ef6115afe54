#!/usr/bin/env bash
# Starts or stops the six apps in the background (built code in dist/), logs in .run/<stack>/logs.
#   stack.sh up | down | status
# Environment: STACK (dev|test, default dev), PORT_BASE (3000 → brand-api 3000 … delivery 3004,
# simulator PORT_BASE+900), plus every app variable (see README), read from .run/<stack>/stack.env.
# CPU_PROFILE_APPS="messenger-gateway geofence" runs those apps with V8's --cpu-prof: each writes a
# .cpuprofile into .run/<stack>/profiles/<app> when it exits (stack.sh down), for Chrome DevTools or
# `node dist/scripts/cpu-profile-summary.js <file>`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="${STACK:-dev}"
run="$root/.run/$stack"
base="${PORT_BASE:-3000}"
apps=(messenger-sim brand-api messenger-gateway geofence promotion-engine messenger-delivery)

# V8 flags per app (scripts/app-node-options.json, the same as NODE_OPTIONS in k8s/base/apps).
node_options_of() {
  node -p "require('$root/scripts/app-node-options.json')['$1'] ?? ''"
}

port_of() {
  case "$1" in
    brand-api) echo $((base + 0)) ;;
    messenger-gateway) echo $((base + 1)) ;;
    geofence) echo $((base + 2)) ;;
    promotion-engine) echo $((base + 3)) ;;
    messenger-delivery) echo $((base + 4)) ;;
    messenger-sim) echo $((base + 900)) ;;
  esac
}

say() { echo "[stack:$stack] $*"; }

healthy() { curl -fsS -m 2 "http://127.0.0.1:$(port_of "$1")/health" >/dev/null 2>&1; }

env_file() {
  mkdir -p "$run/logs" "$run/pids"
  if [[ ! -f "$run/stack.env" ]]; then
    # Local secrets, made once per checkout and never committed.
    {
      echo "SECRETS_KEYS=local1:$(head -c 32 /dev/urandom | base64)"
      echo "SECRETS_ACTIVE_KID=local1"
    } >"$run/stack.env"
  fi
}

up() {
  env_file
  set -a
  # shellcheck disable=SC1091
  source "$run/stack.env"
  set +a
  export ADMIN_TOKEN="${ADMIN_TOKEN:-dev-admin-token}"
  # Two glibc malloc arenas, as in the Dockerfile (scripts/app-node-options.ts, APP_PROCESS_ENV).
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  export GRAPH_API_URL="${GRAPH_API_URL:-http://127.0.0.1:$(port_of messenger-sim)}"
  export GATEWAY_PUBLIC_URL="${GATEWAY_PUBLIC_URL:-http://127.0.0.1:$(port_of messenger-gateway)}"
  local start=()
  for app in "${apps[@]}"; do
    local pidfile="$run/pids/$app.pid"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      # This stack's own process: not started twice; if it is not healthy yet, waited for below.
      say "$app already running on :$(port_of "$app")"
      continue
    fi
    # A port already taken means a process this stack does not know (another checkout's stack, or
    # one left behind): the new app would fail to bind, and the other would answer /health in its
    # place, with its own secrets and code (4 December 2026: a CI run against a killed run's apps).
    # Checked for every app before any starts.
    local port
    port="$(port_of "$app")"
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
      say "port $port ($app) is taken by a process this stack did not start; stop it first (ss -ltnp 'sport = :$port' names it)" >&2
      exit 1
    fi
    start+=("$app")
  done
  for app in "${start[@]}"; do
    local pidfile="$run/pids/$app.pid"
    local profile=""
    if [[ " ${CPU_PROFILE_APPS:-} " == *" $app "* ]]; then
      mkdir -p "$run/profiles/$app"
      profile="--cpu-prof --cpu-prof-dir=$run/profiles/$app"
    fi
    # shellcheck disable=SC2086
    PORT="$(port_of "$app")" nohup setsid node $(node_options_of "$app") $profile "$root/dist/apps/$app/src/main.js" \
      >>"$run/logs/$app.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
  done
  for app in "${apps[@]}"; do
    local ok=""
    for _ in $(seq 1 120); do
      if healthy "$app"; then ok=1; break; fi
      if ! kill -0 "$(cat "$run/pids/$app.pid")" 2>/dev/null; then break; fi
      sleep 0.5
    done
    if [[ -z "$ok" ]]; then
      say "$app did not become healthy; last lines of .run/$stack/logs/$app.log:" >&2
      tail -n 20 "$run/logs/$app.log" >&2
      exit 1
    fi
    say "$app healthy on :$(port_of "$app")"
  done
}

down() {
  for app in "${apps[@]}"; do
    local pidfile="$run/pids/$app.pid"
    [[ -f "$pidfile" ]] || continue
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      say "stopped $app"
    fi
    rm -f "$pidfile"
  done
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) for app in "${apps[@]}"; do healthy "$app" && say "$app up" || say "$app down"; done ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
