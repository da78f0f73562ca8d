#!/usr/bin/env bash
# Regenerates the tables of bad inputs in docs/security.md from the tests that try them: BadInputCatalogTest (every
# bad input of the contract, one by one) and ClientInputPropertyTest (random and boundary values of every client
# field). Runs both (about 1 min), then replaces what stands between each pair of markers in the doc:
#   <!-- generated:bad-inputs -->  ...  <!-- end:bad-inputs -->
#   <!-- generated:client-input-property -->  ...  <!-- end:client-input-property -->
# Usage: scripts/update-security-doc.sh [--no-run]   (--no-run: use the tables the last test run left in target/)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-run" ]; then
  ./mvnw -B -q -pl ingest-service -am verify -Dtest='BadInputCatalogTest,ClientInputPropertyTest' -Dsurefire.failIfNoSpecifiedTests=false
fi
splice() { # marker, generated file
  local begin="<!-- generated:$1 -->" end="<!-- end:$1 -->" file="$2"
  [ -f "$file" ] || { echo "$file is missing: run the tests first" >&2; exit 1; }
  grep -qF "$begin" docs/security.md || { echo "docs/security.md has no $begin" >&2; exit 1; }
  awk -v begin="$begin" -v end="$end" -v file="$file" -v day="$(date -u +%F)" '
    $0 == begin { print; print "<!-- from " file ", " day " -->"; while ((getline line < file) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' docs/security.md > docs/security.md.new
  mv docs/security.md.new docs/security.md
}
splice bad-inputs ingest-service/target/security/bad-inputs.md
splice client-input-property ingest-service/target/security/client-input-property.md
echo "docs/security.md updated; review with: git diff docs/security.md"
