#!/usr/bin/env bash
# Builds the two Java base images deploy/Dockerfile can use, from Debian packages only, for machines that reach a
# Debian mirror but no image registry (no Docker Hub):
#   realtime-voice/base:17-jre  runtime: openjdk-17-jre-headless, bash, ca-certificates (and so openssl)
#   realtime-voice/base:17-jdk  build:   the above + openjdk-17-jdk-headless, curl and unzip (for ./mvnw)
# Then:  docker build -f deploy/Dockerfile --build-arg BUILD_IMAGE=realtime-voice/base:17-jdk \
#          --build-arg BASE_IMAGE=realtime-voice/base:17-jre --build-arg SERVICE=... .
#
# Run as root on a host with debootstrap and a Docker engine:
#   deploy/base-image/build-local-base.sh            (DEBIAN_MIRROR, DEBIAN_SUITE override; default bookworm)
# It skips an image that exists already (FORCE=1 rebuilds). Docker commands run under flock /tmp/docker.lock when
# flock exists, so concurrent builds on one engine take turns.
set -euo pipefail

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="${DEBIAN_SUITE:-bookworm}"
repo="${BASE_REPOSITORY:-realtime-voice/base}"

docker_locked() {
  if command -v flock >/dev/null 2>&1; then flock /tmp/docker.lock docker "$@"; else docker "$@"; fi
}
have_image() { [ "${FORCE:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

if have_image "$repo:17-jre" && have_image "$repo:17-jdk"; then
  echo "build-local-base: $repo:17-jre and $repo:17-jdk exist (FORCE=1 rebuilds)"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || { echo "build-local-base: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }

work="$(mktemp -d /var/tmp/rv-base.XXXXXX)"
trap 'umount "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
root="$work/root"

t0=$(date +%s)
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  "$suite" "$root" "$mirror"
echo "build-local-base: debootstrap took $(( $(date +%s) - t0 )) s"

arch="$(chroot "$root" dpkg --print-architecture)"
java_home="/usr/lib/jvm/java-17-openjdk-$arch"
changes=(-c "ENV JAVA_HOME=$java_home" -c "ENV LANG=C.UTF-8"
         -c "ENV PATH=$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
         -c "CMD [\"bash\"]")

slim() { # what an image does not need: package lists, caches, docs
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
         "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/tmp/* "$1"/var/tmp/*
}
import() { # root dir, tag
  t=$(date +%s)
  tar --numeric-owner -C "$1" -c . | docker_locked import "${changes[@]}" - "$repo:$2"
  echo "build-local-base: imported $repo:$2 in $(( $(date +%s) - t )) s"
}

# The host's own added CAs (EXTRA_CA_DIR, default /usr/local/share/ca-certificates: e.g. a company proxy's that
# intercepts TLS to Maven Central) are trusted in the images too, by the system and by Java's cacerts.
extra_ca="${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"
if compgen -G "$extra_ca/*.crt" >/dev/null; then
  cp "$extra_ca"/*.crt "$root/usr/local/share/ca-certificates/"
  mount -t proc proc "$root/proc"
  chroot "$root" update-ca-certificates >/dev/null
  umount "$root/proc"
  echo "build-local-base: trusting $(ls "$extra_ca"/*.crt | wc -l) CA certificate(s) from $extra_ca"
fi

slim "$root"
import "$root" 17-jre

# The build image: the same root plus the JDK and what ./mvnw (only-script) needs to fetch Maven.
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
chroot "$root" apt-get update -qq
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends \
  openjdk-17-jdk-headless curl unzip >/dev/null
umount "$root/proc"
slim "$root"
import "$root" 17-jdk
echo "build-local-base: done in $(( $(date +%s) - t0 )) s"
docker image ls "$repo"
