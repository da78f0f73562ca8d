#!/bin/bash
# Entrypoint: server.properties from the KAFKA_* variables (as apache/kafka does: "_" -> ".", "__" -> "_",
# "___" -> "-"), the log directory formatted with CLUSTER_ID unless it already is, then the broker in the foreground.
set -euo pipefail
props=/opt/kafka/config/server.properties
: >"$props"
for name in $(compgen -e | grep '^KAFKA_' | sort); do
  case "$name" in KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_LOG4J_CONFIG) continue ;; esac
  key="${name#KAFKA_}"; key="${key,,}"
  key="${key//___/-}"; key="${key//__/@}"; key="${key//_/.}"; key="${key//@/_}"
  printf '%s=%s\n' "$key" "${!name}" >>"$props"
done
: "${CLUSTER_ID:?set CLUSTER_ID (base64 of a UUID, the same for every broker of the cluster)}"
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$props"
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
export KAFKA_LOG4J_CONFIG=/opt/kafka/config/log4j2.properties
exec /opt/kafka/bin/kafka-run-class.sh kafka.Kafka "$props"
