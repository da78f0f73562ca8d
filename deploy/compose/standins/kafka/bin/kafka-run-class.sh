#!/bin/bash
# The jars of /opt/kafka/libs on the class path, logging as the tools/server config says (KAFKA_LOG4J_CONFIG).
# The tools (the health check among them) are short-lived: a small heap and quick start-up flags by default.
exec java ${KAFKA_HEAP_OPTS:--Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} ${KAFKA_OPTS:-} \
  -Dlog4j2.configurationFile="${KAFKA_LOG4J_CONFIG:-/opt/kafka/config/tools-log4j2.properties}" \
  -cp '/opt/kafka/libs/*' "$@"
