#!/usr/bin/env bash
# Container health check of every service image (deploy/Dockerfile): GET the readiness probe on the service's
# management port (actuator is not on the service's own port). Plain bash over /dev/tcp, because the JRE base image
# is not guaranteed to ship curl or wget.
#   SERVICE=asr-worker bash healthcheck.sh [path]     exit 0 when the answer is 200
set -u
case "${SERVICE:-}" in
  ingest-service) port="${INGEST_MANAGEMENT_PORT:-9080}" ;;
  asr-worker)     port="${ASR_WORKER_MANAGEMENT_PORT:-9081}" ;;
  result-service) port="${RESULT_SERVICE_MANAGEMENT_PORT:-9082}" ;;
  *) echo "healthcheck: unknown SERVICE '${SERVICE:-}'" >&2; exit 1 ;;
esac
path="${1:-/actuator/health/readiness}"
# where the management server listens (MANAGEMENT_ADDRESS); all interfaces include the loopback
host="${MANAGEMENT_ADDRESS:-127.0.0.1}"
case "$host" in 0.0.0.0|::|"") host=127.0.0.1 ;; esac
{ exec 3<>"/dev/tcp/${host}/${port}"; } 2>/dev/null || { echo "healthcheck: nothing listens on ${port}" >&2; exit 1; }
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 4 status <&3 || { echo "healthcheck: no answer on ${port}${path}" >&2; exit 1; }
exec 3<&-
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "healthcheck: ${port}${path}: ${status}" >&2; exit 1 ;;
esac
