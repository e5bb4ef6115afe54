#!/usr/bin/env bash
# Runs a real Apache Kafka broker (KRaft, single node) from Maven Central jars.
#   kafka.sh up       resolve jars if needed, format storage once, start, wait for an admin call
#   kafka.sh down     stop the broker this script started for this data dir (and nothing else)
#   kafka.sh restart  down, then up (the chaos run restarts its private broker this way)
#   kafka.sh status   exit 0 when the broker answers an admin call
# Idempotent: a healthy broker already on localhost:$KAFKA_PORT is reused.
# A broker's identity is its data dir: the pid file lives there, so several brokers (the machine's
# shared one, `make chaos`'s private one) can run side by side and `down` stops only its own.
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (infra/kafka/data), KAFKA_HEAP (512m),
#   KAFKA_READY_SECONDS (90: how long `up` waits for the broker to answer)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib="$here/lib"
data="${KAFKA_DATA_DIR:-$here/data}"
pidfile="$data/kafka.pid"
log="$data/server.log"
heap="${KAFKA_HEAP:-512m}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
# ready.js probes the broker named here.
export KAFKA_BROKERS="localhost:$port"

say() { echo "[kafka] $*"; }

ready() { (cd "$root" && node "$here/ready.js" "${1:-2}") >/dev/null 2>&1; }

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; }

resolve_jars() {
  local stamp="$lib/.pom.sha256" want
  want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$lib/kafka_2.13-*.jar" >/dev/null; then
    return
  fi
  say "resolving the broker's jars from Maven Central (infra/kafka/pom.xml)"
  rm -rf "$lib"
  # Maven 3.8 prints bare colour resets even in batch mode; keep its output for failures only.
  local out
  if ! out="$(cd "$here" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" 2>&1)"; then
    echo "$out" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
}

java_cp() { echo "$lib/*"; }

format_storage() {
  mkdir -p "$data/logs"
  sed -e "s#@DATA_DIR@#$data#" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" \
    "$here/server.properties.template" >"$data/server.properties"
  if [[ ! -f "$data/logs/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$(java_cp)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    say "formatting storage (cluster $cluster_id)"
    java -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$(java_cp)" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$data/server.properties" --ignore-formatted >/dev/null
  fi
}

up() {
  if ready 3; then
    say "reusing the healthy broker on localhost:$port"
    return
  fi
  if port_open; then
    say "something holds localhost:$port but does not answer as a Kafka broker; waiting for it"
    if (cd "$root" && node "$here/ready.js" 60); then return; fi
    say "localhost:$port is taken by something that is not a healthy broker" >&2
    exit 1
  fi
  resolve_jars
  format_storage
  say "starting Kafka $(basename "$(ls "$lib"/kafka_2.13-*.jar)" .jar | sed 's/kafka_2.13-//') (log: ${log#"$root"/})"
  nohup setsid java -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" \
    -cp "$(java_cp)" kafka.Kafka "$data/server.properties" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  if ! (cd "$root" && node "$here/ready.js" "${KAFKA_READY_SECONDS:-90}"); then
    say "the broker did not become ready; last lines of its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  say "ready on localhost:$port"
}

down() {
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local pid
    pid="$(cat "$pidfile")"
    say "stopping broker (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# Only a broker this script started for this data dir can be restarted: never someone else's.
restart() {
  if [[ ! -f "$pidfile" ]]; then
    say "no broker of ours runs for ${data#"$root"/} (no pid file); not restarting anything" >&2
    exit 1
  fi
  down
  up
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  restart) restart ;;
  status) ready 3 ;;
  *) echo "usage: $0 up|down|restart|status" >&2; exit 2 ;;
esac
