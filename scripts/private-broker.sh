#!/usr/bin/env bash
# Sourced by scripts/bench-broker.sh and scripts/chaos.sh: the environment infra/kafka/kafka.sh
# reads to run a private broker next to the development one.
#   private_broker_env PORT DATA_DIR HEAP READY_SECONDS
# The controller listens on PORT + 1; KAFKA_READY_SECONDS, when already set, wins over READY_SECONDS.

private_broker_env() {
  export KAFKA_PORT="$1"
  export KAFKA_CONTROLLER_PORT="$((KAFKA_PORT + 1))"
  export KAFKA_DATA_DIR="$2"
  export KAFKA_HEAP="$3"
  export KAFKA_BROKERS="localhost:$KAFKA_PORT"
  export KAFKA_READY_SECONDS="${KAFKA_READY_SECONDS:-$4}"
}
