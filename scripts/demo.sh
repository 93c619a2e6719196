#!/usr/bin/env bash
# Plans examples/quickstart (or the directory given as $1) against the local
# build of the provider, served from ./bin through dev_overrides (no init, no
# network), and prints the planned tunnels and each pair's primary and backup
# paths of crosslink_mesh.quickstart (MESH=<address> to pick another).
# The example is copied to a temporary directory, so it stays clean. The plan
# itself is printed only when it fails, or with DEMO_VERBOSE=1.
# Then applies examples/aws-gcp against crosslink's AWS and GCP emulators and
# shows every tunnel UP, as the SDKs report it; and, as root, applies
# examples/hosts to four lab hosts (network namespaces
# running the agent), pings across, cuts a link to show failover, destroys.
# Needs: make build, make tofu (bin/.tf-path), jq; root for the lab part.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$CROSSLINK_ROOT"
tf_sanitize_env
need_cmd jq
need_provider
tf="$(tf_path)"
example="${1:-$CROSSLINK_ROOT/examples/quickstart}"
mesh="${MESH:-crosslink_mesh.quickstart}"
[ -d "$example" ] || die "no example directory $example"
compgen -G "$example/*.tf" >/dev/null || die "no .tf file in $example"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work"
cp -r "$example"/. "$tmp/work/"
rm -rf "$tmp/work/.terraform" "$tmp/work"/terraform.tfstate* "$tmp/work/.terraform.lock.hcl"
tf_dev_config "$tmp/cli.tfrc" "crosslink/crosslink"
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" TF_IN_AUTOMATION=1
color=()
[ -t 1 ] || color=(-no-color)

say "$(tf_version "$tf"): plan ${example#"$CROSSLINK_ROOT"/} with the local provider build (dev_overrides)"
if ! "$tf" -chdir="$tmp/work" plan -input=false -lock=false "${color[@]}" -out=tfplan >"$tmp/plan.log" 2>&1; then
  cat "$tmp/plan.log" >&2
  die "plan of ${example#"$CROSSLINK_ROOT"/} failed (see the diagnostics above)"
fi
if [ -n "${DEMO_VERBOSE:-}" ]; then cat "$tmp/plan.log"; else
  grep -E 'Plan:|No changes' "$tmp/plan.log" | sed 's/^/    /' >&2 || true
  say "(DEMO_VERBOSE=1 prints the whole plan)"
fi
"$tf" -chdir="$tmp/work" show -json tfplan >"$tmp/plan.json" || die "show -json of the saved plan failed"

jq -r --arg addr "$mesh" -f "$CROSSLINK_ROOT/scripts/demo-report.jq" "$tmp/plan.json" ||
  die "could not read $mesh from the plan (is it in ${example#"$CROSSLINK_ROOT"/}?)"

# Apply examples/aws-gcp against the AWS and GCP emulators (no root needed):
# the SDKs then report all four tunnels UP and BGP established.
say "apply examples/aws-gcp against the AWS and GCP emulators (real SDK clients)"
go run ./acctest/cmd/clouddemo -tf "$tf" -example "$CROSSLINK_ROOT/examples/aws-gcp" || die "the cloud demo failed"

# Then apply examples/hosts for real: four Linux hosts made of network
# namespaces, each running the crosslink agent (acctest/cmd/labdemo).
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1 && [ -c /dev/net/tun ]; then
  say "apply examples/hosts to lab hosts (network namespaces, real WireGuard and BGP)"
  go run ./acctest/cmd/labdemo -tf "$tf" -example "$CROSSLINK_ROOT/examples/hosts" \
    -agent "$CROSSLINK_BIN/terraform-provider-crosslink" || die "the lab demo failed"
else
  say "skipping the lab apply of examples/hosts: it needs root, the ip tool and /dev/net/tun"
fi
