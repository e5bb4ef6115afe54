#!/usr/bin/env bash
# The one infrastructure script used by `make up`, `make test` and CI.
#   infra.sh up     Redis and Postgres (reuse the machine's, or start/install them), the project's
#                   databases, and a real Kafka broker (infra/kafka/kafka.sh). Idempotent.
#   infra.sh down   stop what this script started (the Kafka broker; the machine's own services stay)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATABASES=(${PROJECT_DATABASES:-promotions promotions_test} ${EXTRA_DATABASES:-})
PGHOST_ADDR="${PGHOST_ADDR:-127.0.0.1}"

say() { echo "[infra] $*"; }

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  say "installing $* from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

redis_up() {
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    say "Redis answers on 127.0.0.1:6379"
    return
  fi
  command -v redis-server >/dev/null || apt_install redis-server redis-tools
  say "starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/redis-promotions.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG && return; sleep 0.2; done
  say "Redis did not start" >&2
  exit 1
}

postgres_up() {
  if pg_isready -q -h "$PGHOST_ADDR" -p 5432 2>/dev/null; then
    say "PostgreSQL answers on $PGHOST_ADDR:5432"
  else
    command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 50); do pg_isready -q -h "$PGHOST_ADDR" -p 5432 && break; sleep 0.2; done
    pg_isready -q -h "$PGHOST_ADDR" -p 5432 || { say "PostgreSQL did not start" >&2; exit 1; }
  fi
  for db in "${DATABASES[@]}"; do
    if ! psql -h "$PGHOST_ADDR" -U postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      say "creating database $db"
      psql -h "$PGHOST_ADDR" -U postgres -qc "create database \"$db\"" >/dev/null
    fi
  done
}

java_up() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
}

case "${1:-up}" in
  up)
    redis_up
    postgres_up
    java_up
    "$here/kafka/kafka.sh" up
    ;;
  down)
    "$here/kafka/kafka.sh" down
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
