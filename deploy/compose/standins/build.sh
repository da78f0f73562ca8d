#!/usr/bin/env bash
# Builds local stand-ins for the two public images docker-compose.yml runs besides our own, for engines that reach
# a Debian mirror and Maven Central but no image registry (no Docker Hub):
#   realtime-voice/kafka-standin:4.1.1     Kafka 4.1.1 (KRaft) from Maven Central's jars   (kafka/Dockerfile)
#   realtime-voice/mariadb-standin:debian  Debian's MariaDB server                          (mariadb/Dockerfile)
# both on the local Debian base images (deploy/base-image/build-local-base.sh, built first when missing). Then:
#   KAFKA_IMAGE=realtime-voice/kafka-standin:4.1.1 MYSQL_IMAGE=realtime-voice/mariadb-standin:debian docker compose ...
# Skips an image that exists (FORCE=1 rebuilds). Run as root from anywhere; docker commands hold flock /tmp/docker.lock.
set -euo pipefail
cd "$(dirname "$0")/../../.."

KAFKA_STANDIN="${KAFKA_STANDIN:-realtime-voice/kafka-standin:4.1.1}"
MYSQL_STANDIN="${MYSQL_STANDIN:-realtime-voice/mariadb-standin:debian}"
# Docker 20.10's own CLI builds with BuildKit (RUN --mount) by itself; newer CLIs need the buildx plugin.
docker_cli=docker
[ -x /usr/bin/docker ] && docker_cli=/usr/bin/docker

bash deploy/base-image/build-local-base.sh
build() { # tag, Dockerfile
  if [ "${FORCE:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; then
    echo "standins: $1 exists (FORCE=1 rebuilds)"
    return
  fi
  local t0=$(date +%s)
  DOCKER_BUILDKIT=1 flock /tmp/docker.lock "$docker_cli" build --network host -f "$2" -t "$1" .
  echo "standins: built $1 in $(( $(date +%s) - t0 )) s"
}
build "$KAFKA_STANDIN" deploy/compose/standins/kafka/Dockerfile
build "$MYSQL_STANDIN" deploy/compose/standins/mariadb/Dockerfile
