#!/bin/bash
# The jars of /opt/kafka/libs on the class path, logging as the tools/server config says (KAFKA_LOG4J_CONFIG).
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} ${KAFKA_OPTS:-} \
  -Dlog4j2.configurationFile="${KAFKA_LOG4J_CONFIG:-/opt/kafka/config/tools-log4j2.properties}" \
  -cp '/opt/kafka/libs/*' "$@"
