#!/usr/bin/env bash
# Runs every fuzz target (func FuzzXxx in a *_test.go file) in the repository,
# one at a time, for FUZZTIME each (default 10s). Runs them all, then fails if
# any failed; a failing input is saved under the package's testdata/fuzz/.
#   scripts/fuzz.sh --list   only prints "package FuzzName" lines
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$CROSSLINK_ROOT"
FUZZTIME="${FUZZTIME:-10s}"

targets=()
while IFS= read -r file; do
  dir="./$(dirname "${file#./}")"
  while IFS= read -r name; do
    targets+=("$dir $name")
  done < <(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file")
done < <(grep -rl --include='*_test.go' --exclude-dir=.git --exclude-dir=bin --exclude-dir=testdata '^func Fuzz' . | sort)

if [ "${1:-}" = "--list" ]; then
  [ ${#targets[@]} -eq 0 ] || printf '%s\n' "${targets[@]}"
  exit 0
fi
[ ${#targets[@]} -gt 0 ] || { say "no fuzz targets found"; exit 0; }

say "${#targets[@]} fuzz target(s), $FUZZTIME each"
failed=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  say "go test -run='^\$' -fuzz='^$name\$' -fuzztime=$FUZZTIME $pkg"
  if ! go test -run='^$' -fuzz="^$name\$" -fuzztime="$FUZZTIME" "$pkg"; then
    failed+=("$pkg $name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'fuzz target failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
say "all fuzz targets passed"
