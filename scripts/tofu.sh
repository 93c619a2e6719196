#!/usr/bin/env bash
# Prints the path of a Terraform-compatible CLI for the acceptance tests.
# Uses tofu or terraform from PATH when present; otherwise builds OpenTofu from
# its module source into ./bin (cached), because its go.mod has replace
# directives that make `go install mod@version` refuse it.
set -euo pipefail
TOFU_VERSION="${TOFU_VERSION:-v1.12.6}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/bin"
if [ -z "${CROSSLINK_BUILD_TOFU:-}" ]; then
  for c in tofu terraform; do
    if p="$(command -v "$c" 2>/dev/null)"; then echo "$p"; exit 0; fi
  done
fi
if [ -x "$bin/tofu" ] && "$bin/tofu" version 2>/dev/null | grep -q "${TOFU_VERSION#v}"; then
  echo "$bin/tofu"; exit 0
fi
mkdir -p "$bin"
dir="$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] || { echo "could not download opentofu $TOFU_VERSION" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
echo "building OpenTofu $TOFU_VERSION from module source (several minutes)..." >&2
(cd "$work/src" && GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" -o "$bin/tofu" ./cmd/tofu) >&2
echo "$bin/tofu"
