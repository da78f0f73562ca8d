#!/usr/bin/env bash
# Shows that the compose stack keeps its data across `docker compose down` and `up` (issue 20): Kafka's log (topics,
# committed consumer offsets) and MySQL's tables live in named volumes. It
#   1. builds what it runs: our three service images on the local Debian base images, and (STANDINS=1, the default)
#      local stand-ins for the Kafka and MySQL images (deploy/compose/standins/build.sh: no registry needed);
#   2. starts kafka, mysql, result-service, asr-worker and ingest-1 from docker-compose.yml with
#      deploy/compose/host-network.yml (host networking, free ports on 127.0.0.1), as project rv-survival;
#   3. streams fixtures/speech/sentences.wav through ingest-1 (client-tools' transcribe, with a token signed by the
#      stack's AUTH_JWT_SECRET), waits until the transcript is stored and the consumer groups have committed;
#   4. prints the stored transcript and the committed offsets, runs `docker compose down` (without -v: the volumes
#      stay) and `up` again, prints both again and fails unless the transcript is the same and every committed offset
#      and log end is still there, not behind (the worker may move forward: it replays a session it had not
#      committed past, and the result service overwrites the same segments).
# Root, a Docker engine, the Compose v2 plugin, Java 17 and a built client-tools jar (./mvnw -pl client-tools -am
# package -DskipTests; built here when missing). KEEP=1 leaves the stack and its volumes; otherwise `down -v` at the
# end. Takes 8-17 min with the images built on a busy 2-core machine (the first run builds them too). Exit 0
# only when both survived.
set -euo pipefail
cd "$(dirname "$0")/../.."

export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-rv-survival}"
export TAG="${TAG:-local}"
docker_cli=docker
[ -x /usr/bin/docker ] && docker_cli=/usr/bin/docker  # Docker 20.10's CLI builds with BuildKit by itself
log() { printf '\n== %s\n' "$*"; }

# 1. images
if [ "${STANDINS:-1}" = 1 ]; then
  bash deploy/compose/standins/build.sh
  export KAFKA_IMAGE="${KAFKA_STANDIN:-realtime-voice/kafka-standin:4.1.1}"
  export MYSQL_IMAGE="${MYSQL_STANDIN:-realtime-voice/mariadb-standin:debian}"
else
  bash deploy/base-image/build-local-base.sh
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  for service in ingest-service:8080 asr-worker:8081 result-service:8082; do
    t0=$(date +%s)
    DOCKER_BUILDKIT=1 flock /tmp/docker.lock "$docker_cli" build -q --network host -f deploy/Dockerfile \
      --build-arg BUILD_IMAGE=realtime-voice/base:17-jdk --build-arg BASE_IMAGE=realtime-voice/base:17-jre \
      --build-arg SERVICE="${service%:*}" --build-arg SERVICE_PORT="${service#*:}" -t "realtime-voice/${service%:*}:$TAG" . >/dev/null
    echo "image realtime-voice/${service%:*}:$TAG ready in $(( $(date +%s) - t0 )) s"
  done
fi
tools=client-tools/target/realtime-voice-tools.jar
[ -f "$tools" ] || ./mvnw -q -B -pl client-tools -am package -DskipTests

# 2. the stack: free ports, secrets made here (the same for both `up`s: the database keeps its first passwords)
read -r RV_KAFKA_PORT RV_KAFKA_CONTROLLER_PORT RV_MYSQL_PORT RV_RESULT_PORT RV_RESULT_MANAGEMENT_PORT RV_WORKER_PORT \
  RV_WORKER_MANAGEMENT_PORT RV_INGEST_PORT RV_INGEST_MANAGEMENT_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
export RV_KAFKA_PORT RV_KAFKA_CONTROLLER_PORT RV_MYSQL_PORT RV_RESULT_PORT RV_RESULT_MANAGEMENT_PORT RV_WORKER_PORT \
  RV_WORKER_MANAGEMENT_PORT RV_INGEST_PORT RV_INGEST_MANAGEMENT_PORT
export AUTH_JWT_SECRET="$(openssl rand -base64 48)" GRAFANA_ADMIN_PASSWORD="$(openssl rand -base64 18)" \
  DB_PASSWORD="$(openssl rand -hex 16)" MYSQL_ROOT_PASSWORD="$(openssl rand -hex 16)"
services=(kafka mysql result-service asr-worker ingest-1)
compose() { docker compose -f docker-compose.yml -f deploy/compose/host-network.yml "$@"; }
up() {
  local t0=$(date +%s)
  compose up -d --no-build --wait --wait-timeout 1200 "${services[@]}"
  echo "up and healthy in $(( $(date +%s) - t0 )) s"
}
finish() {
  local rc=$?
  if [ $rc != 0 ]; then compose logs --tail 40 "${services[@]}" 2>&1 | tail -200 || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "KEEP=1: project $COMPOSE_PROJECT_NAME left running"; else compose down -v >/dev/null 2>&1 || true; fi
  exit $rc
}
trap finish EXIT

log "fresh project $COMPOSE_PROJECT_NAME (Kafka $KAFKA_IMAGE, MySQL $MYSQL_IMAGE), Kafka on 127.0.0.1:$RV_KAFKA_PORT"
compose down -v >/dev/null 2>&1 || true
up

# 3. a stream through ingest-1
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"survival-check","iss":"realtime-voice","aud":"realtime-voice-clients","iat":%d,"exp":%d}' \
  "$now" $((now + 900)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$AUTH_JWT_SECRET" -binary | b64url)
log "streaming fixtures/speech/sentences.wav through ingest-1 (127.0.0.1:$RV_INGEST_PORT)"
java -jar "$tools" transcribe --url "http://127.0.0.1:$RV_INGEST_PORT" --token "$header.$payload.$signature" --speed 3 \
  fixtures/speech/sentences.wav 2> >(tee /tmp/rv-survival-transcribe.err >&2)
session=$(sed -n 's/^session \([^ ]*\) started$/\1/p' /tmp/rv-survival-transcribe.err | head -n 1)
[ -n "$session" ] || { echo "no session id in the client's output" >&2; exit 1; }

transcript() {
  compose exec -T mysql sh -c 'mysql -h 127.0.0.1 -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" -N -B "$MYSQL_DATABASE" -e "$0"' \
    "select s.id, s.status, s.segments, g.seg_index, g.text from transcript_session s join transcript_segment g
       on g.session_id = s.id where s.id = '$session' order by g.seg_index" 2>/dev/null || true
}
# committed offsets of both groups on the partitions that hold records: group, topic, partition, committed, log end
offsets() {
  local group
  for group in asr-worker result-service; do
    compose exec -T kafka /opt/kafka/bin/kafka-consumer-groups.sh --bootstrap-server "127.0.0.1:$RV_KAFKA_PORT" \
      --describe --group "$group" 2>/dev/null \
      | awk -v g="$group" '$1 == g && $4 ~ /^[0-9]+$/ && $5 > 0 {print $1, $2, $3, $4, $5}' || true
  done | sort
}
settled() { # a stored transcript, and the result service has committed past every record it read
  [ -n "$(transcript)" ] && [ -n "$(offsets | awk '$1 == "result-service"')" ] && \
    compose exec -T kafka /opt/kafka/bin/kafka-consumer-groups.sh --bootstrap-server "127.0.0.1:$RV_KAFKA_PORT" \
      --describe --group result-service 2>/dev/null | awk '$1 == "result-service" && $6 ~ /^[0-9]+$/ && $6 > 0 {lag = 1} END {exit lag}'
}
for _ in $(seq 1 60); do settled && break; sleep 2; done
settled || { echo "the transcript was not stored and committed within 120 s" >&2; exit 1; }

# 4. down, up, compare
before_transcript=$(transcript); before_offsets=$(offsets)
log "before down: transcript of session $session (id, status, segments, index, text)"; echo "$before_transcript"
log "before down: committed offsets (group, topic, partition, committed, log end)"; echo "$before_offsets"

log "docker compose down (no -v)"
compose down
docker volume ls --filter "name=${COMPOSE_PROJECT_NAME}_" --format '{{.Name}}'
log "docker compose up"
up

# the worker may replay a session whose start it had not committed past (asr-worker's CommitPositions): let the
# result service settle again before comparing
for _ in $(seq 1 60); do settled && break; sleep 2; done
after_transcript=$(transcript); after_offsets=$(offsets)
log "after up: transcript of session $session"; echo "$after_transcript"
log "after up: committed offsets (group, topic, partition, committed, log end)"; echo "$after_offsets"

# The transcript must be the same; every committed offset and log end still there and not behind (a lost Kafka
# volume shows no group, or offsets from 0).
lost=$(join -a 1 <(echo "$before_offsets" | awk '{print $1"/"$2"/"$3, $4, $5}' | sort) \
                 <(echo "$after_offsets" | awk '{print $1"/"$2"/"$3, $4, $5}' | sort) \
       | awk 'NF < 5 || $4 < $2 || $5 < $3')
if [ -n "$before_transcript" ] && [ "$before_transcript" = "$after_transcript" ] && [ -n "$before_offsets" ] && [ -z "$lost" ]; then
  log "survival: the transcript ($(echo "$after_transcript" | wc -l) segments) and $(echo "$before_offsets" | wc -l) committed offsets survived down/up"
else
  log "survival: FAILED (transcript the same: $([ "$before_transcript" = "$after_transcript" ] && echo yes || echo no); offsets lost or behind: ${lost:-none})"
  exit 1
fi
