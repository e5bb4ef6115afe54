#!/usr/bin/env bash
# The private Redis of `make chaos` (never the machine's 6379): port CHAOS_REDIS_PORT (6392), data in
# .run/<STACK>/redis. Persistent like a production Redis (append-only file, fsync every second), so
# a stop and start keeps its state; the chaos run stops it with SHUTDOWN, which completes the file.
#   chaos-redis.sh up | down | fresh (down, delete its data, up)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${CHAOS_REDIS_PORT:-6392}"
dir="$root/.run/${STACK:-chaos}/redis"

say() { echo "[chaos-redis] $*"; }
answers() { redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; }

up() {
  mkdir -p "$dir"
  if answers; then return; fi
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --appendonly yes --appendfsync everysec --save "" >/dev/null
  for _ in $(seq 1 50); do answers && return; sleep 0.1; done
  say "Redis did not start on :$port; last lines of its log:" >&2
  tail -n 20 "$dir/redis.log" >&2
  exit 1
}

# Stops only the Redis whose pid file is in our data dir.
down() {
  [[ -f "$dir/redis.pid" ]] || return 0
  local pid
  pid="$(cat "$dir/redis.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/redis.pid"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  fresh) down; rm -rf "$dir"; up ;;
  *) echo "usage: $0 up|down|fresh" >&2; exit 2 ;;
esac
