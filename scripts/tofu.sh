#!/usr/bin/env bash
# Prints the path of a Terraform-compatible CLI for the acceptance tests.
# Uses tofu or terraform from PATH when present; otherwise builds OpenTofu from
# its module source into ./bin (cached), because its go.mod has replace
# directives that make `go install mod@version` refuse it.
# Set CROSSLINK_BUILD_TOFU=1 to ignore PATH and always use the ./bin build.
# Only the path goes to stdout; progress goes to stderr.
set -euo pipefail
TOFU_VERSION="${TOFU_VERSION:-v1.12.6}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/bin"
export CHECKPOINT_DISABLE=1
if [ -z "${CROSSLINK_BUILD_TOFU:-}" ]; then
  for c in tofu terraform; do
    if p="$(command -v "$c" 2>/dev/null)"; then echo "$p"; exit 0; fi
  done
fi

cached() {
  local out
  [ -x "$bin/tofu" ] || return 1
  # Captured first: `tofu version | grep -q` can die of SIGPIPE under pipefail.
  out="$(env -u TF_CLI_CONFIG_FILE "$bin/tofu" version 2>/dev/null)" || return 1
  grep -qx "OpenTofu v${TOFU_VERSION#v}" <<<"$out"
}
if cached; then echo "$bin/tofu"; exit 0; fi

mkdir -p "$bin"
# One build at a time (parallel make, two checkouts sharing nothing but ./bin).
exec 9>"$bin/.tofu-build.lock"
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 9; then
    echo "waiting for another OpenTofu build to finish..." >&2
    flock 9
  fi
  if cached; then echo "$bin/tofu"; exit 0; fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"; rm -f "$bin/tofu.tmp.$$"' EXIT
command -v go >/dev/null 2>&1 || { echo "go is not on PATH: cannot build OpenTofu" >&2; exit 1; }
# Outside any module, and with the caller's GOFLAGS/GOWORK set aside: this
# must neither touch the project's go.mod/go.sum nor trip over -mod=vendor.
echo "downloading github.com/opentofu/opentofu@$TOFU_VERSION from the module proxy..." >&2
if ! json="$(cd "$work" && GOFLAGS='' GOWORK=off go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION")"; then
  printf '%s\n' "$json" >&2
  echo "could not download opentofu $TOFU_VERSION" >&2
  exit 1
fi
# No jq needed: pick "Dir" out of the JSON by hand.
dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -d "$dir" ] || { printf '%s\n' "$json" >&2; echo "could not download opentofu $TOFU_VERSION" >&2; exit 1; }
cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
echo "building OpenTofu $TOFU_VERSION from module source (several minutes)..." >&2
(cd "$work/src" && GOFLAGS=-mod=mod GOWORK=off go build -trimpath \
  -ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" -o "$bin/tofu.tmp.$$" ./cmd/tofu) >&2
mv -f "$bin/tofu.tmp.$$" "$bin/tofu"
cached || { echo "built $bin/tofu, but '$bin/tofu version' does not report OpenTofu $TOFU_VERSION" >&2; exit 1; }
echo "$bin/tofu"
