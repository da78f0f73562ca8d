#!/usr/bin/env bash
# Installs the Compose v2 CLI plugin (`docker compose`) from Debian's docker-compose package, for machines that have
# the docker CLI but no plugin: Debian 12's own docker-compose is v1.29, which rejects docker-compose.yml (top-level
# `name:`), while trixie's (2.x) is the v2 plugin. It reads trixie's package list in a private apt state (the
# system's sources and lists stay as they are), downloads the .deb and unpacks only the plugin binary into
# /usr/libexec/docker/cli-plugins, where the docker CLI looks for it. Needs root and a Debian mirror.
# Does nothing when `docker compose version` already prints v2.x. Exit status 0 only when the plugin works.
set -euo pipefail

PLUGINS=${DOCKER_CLI_PLUGINS:-/usr/libexec/docker/cli-plugins}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${COMPOSE_SUITE:-trixie}

compose_v2() { docker compose version 2>/dev/null | grep -Eq 'v?2\.'; }

if compose_v2; then
  docker compose version
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/etc/preferences.d"
printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$MIRROR" "$SUITE" >"$work/sources.list"
apt_private=(-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Dir::Etc::SourceList="$work/sources.list"
  -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root -o Dir::Etc::PreferencesParts="$work/etc/preferences.d" -o APT::Get::List-Cleanup=0)
apt-get "${apt_private[@]}" update -qq
(cd "$work" && apt-get "${apt_private[@]}" download -qq docker-compose)
dpkg-deb -x "$work"/docker-compose_*.deb "$work/root"
plugin=$(find "$work/root" -type f -path '*cli-plugins/docker-compose' | head -n 1)
[ -n "$plugin" ] || { echo "no cli-plugins/docker-compose in $(ls "$work"/docker-compose_*.deb)" >&2; exit 1; }
install -D -m 0755 "$plugin" "$PLUGINS/docker-compose"
compose_v2 || { echo "installed $PLUGINS/docker-compose, but 'docker compose version' does not print v2" >&2; exit 1; }
docker compose version
