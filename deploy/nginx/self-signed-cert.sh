#!/bin/sh
# Writes a self-signed TLS certificate (tls.crt, tls.key) into a directory unless one is already there, so that
# the edge serves wss:// from the first `docker compose up`. Replace the pair with a real certificate for any
# public host: mini-programs only connect to wss:// domains with a valid certificate in their socket whitelist.
#   TLS_HOSTNAME=voice.example.com sh self-signed-cert.sh /etc/nginx/tls
set -eu
dir="${1:-/etc/nginx/tls}"
host="${TLS_HOSTNAME:-localhost}"
if [ -s "$dir/tls.crt" ] && [ -s "$dir/tls.key" ]; then
  echo "self-signed-cert: keeping the certificate in $dir"
  exit 0
fi
if ! command -v openssl >/dev/null 2>&1; then
  # nothing is installed here (that needs a network at start): run this where openssl is, e.g. on the host
  echo "self-signed-cert: no openssl here; run deploy/nginx/self-signed-cert.sh on a machine with openssl and put" \
       "tls.crt and tls.key into $dir" >&2
  exit 1
fi
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 825 \
  -subj "/CN=$host" \
  -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
chmod 0644 "$dir/tls.crt"
chmod 0600 "$dir/tls.key"
echo "self-signed-cert: wrote a certificate for $host to $dir"
