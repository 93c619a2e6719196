#!/usr/bin/env bash
# End-to-end plan wall time of a generated crosslink_mesh (50 sites, full
# topology, a gcp/azure/host mix with one aws site, site N owns 10.N.0.0/16)
# against two baselines made of terraform_data, which is built into the CLI
# (no provider to install, works offline):
#   - as many terraform_data resources as the mesh has sites (per-resource cost);
#   - as many terraform_data resources as the mesh plans cloud objects (its
#     `objects` map in `show -json`): what a hand-written module with one
#     resource per object would make the CLI plan.
# Each plan runs BENCH_RUNS times (default 3); the median wall time is printed.
# The provider is served from ./bin through dev_overrides: no init, no network.
#   BENCH_SITES (default 50), BENCH_RUNS (default 3), BENCH_KEEP=1 keeps the
#   generated configurations and logs (their directory is printed).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$CROSSLINK_ROOT"
tf_sanitize_env
need_cmd jq
need_provider
tf="$(tf_path)"
sites="${BENCH_SITES:-50}"
runs="${BENCH_RUNS:-3}"
[ "$sites" -ge 2 ] && [ "$sites" -le 250 ] || die "BENCH_SITES must be 2..250 (CIDRs are 10.N.0.0/16)"

tmp="$(mktemp -d)"
if [ -n "${BENCH_KEEP:-}" ]; then say "keeping $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
tf_dev_config "$tmp/cli.tfrc" "crosslink/crosslink"
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" TF_IN_AUTOMATION=1

# gen_mesh N: a full-topology mesh of N sites; site 1 is the only aws site.
gen_mesh() {
  local n="$1" i cloud
  cat <<'EOF'
terraform {
  required_providers {
    crosslink = { source = "crosslink/crosslink" }
  }
}

resource "crosslink_mesh" "bench" {
  name       = "bench"
  topology   = "full"
  redundancy = 2
EOF
  for ((i = 1; i <= n; i++)); do
    if [ "$i" -eq 1 ]; then cloud=aws; else
      case $((i % 3)) in 0) cloud=gcp ;; 1) cloud=azure ;; *) cloud=host ;; esac
    fi
    printf '\n  site {\n    name  = "s%02d-%s"\n    cloud = "%s"\n' "$i" "$cloud" "$cloud"
    case "$cloud" in
      aws) printf '    region     = "us-east-1"\n    network_id = "vpc-0a1b2c3d4e5f6%04d"\n' "$i" ;;
      gcp) printf '    region     = "europe-west1"\n    network_id = "net-%02d"\n' "$i" ;;
      azure) printf '    region     = "westeurope"\n    network_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet-%02d"\n' "$i" ;;
      host) printf '    agent = "https://198.51.100.%d:7443"\n' "$i" ;;
    esac
    printf '    cidrs = ["10.%d.0.0/16"]\n  }\n' "$i"
  done
  echo '}'
}

# gen_data N: N independent terraform_data resources with a few attributes each.
gen_data() {
  local n="$1" i
  for ((i = 1; i <= n; i++)); do
    printf 'resource "terraform_data" "o%d" {\n  input = {\n    key  = "object-%d"\n    kind = "tunnel"\n    cidr = "169.254.%d.%d/30"\n  }\n}\n\n' \
      "$i" "$i" $(((i / 64) % 256)) $(((i % 64) * 4))
  done
}

# time_plan DIR: plans DIR $runs times (fresh, saved to DIR/tfplan) and prints
# the median wall time in ms; every run's time goes to stderr.
time_plan() {
  local dir="$1" i t0 t1 times=()
  for ((i = 1; i <= runs; i++)); do
    rm -f "$dir/tfplan"
    t0="$(now_ms)"
    if ! "$tf" -chdir="$dir" plan -input=false -lock=false -no-color -out=tfplan >"$dir/plan.log" 2>&1; then
      tail -n 40 "$dir/plan.log" >&2
      die "plan of $(basename "$dir") failed (last lines above)"
    fi
    t1="$(now_ms)"
    times+=($((t1 - t0)))
  done
  say "  $(basename "$dir"): runs ${times[*]} ms"
  median "${times[@]}"
}

say "$(tf_version "$tf"); $runs plans each"
mkdir -p "$tmp/mesh" "$tmp/data-sites" "$tmp/data-objects"
gen_mesh "$sites" >"$tmp/mesh/main.tf"
gen_data "$sites" >"$tmp/data-sites/main.tf"

say "crosslink_mesh with $sites sites"
mesh_ms="$(time_plan "$tmp/mesh")"
"$tf" -chdir="$tmp/mesh" show -json tfplan >"$tmp/mesh/plan.json" || die "show -json of the mesh plan failed"
read -r tunnels objects < <(jq -r '
  [.planned_values | .. | objects | select(.address? == "crosslink_mesh.bench")][0].values as $v
  | [($v.tunnels // null | if type == "array" then length else "?" end),
     ($v.objects // null | if type == "object" or type == "array" then length else "?" end)]
  | map(tostring) | join(" ")' "$tmp/mesh/plan.json")
[ -n "${objects:-}" ] || die "could not read crosslink_mesh.bench from the plan"
note=""
if [ "$objects" = "?" ] || [ "$objects" = 0 ]; then
  [ "$tunnels" != "?" ] || die "the mesh plan has neither tunnels nor objects"
  objects=$((tunnels * 3))
  note=" (objects unknown in the plan: estimated as 3 x $tunnels tunnels)"
fi

say "$sites terraform_data resources"
data_sites_ms="$(time_plan "$tmp/data-sites")"
say "$objects terraform_data resources, one per planned object of the mesh$note"
gen_data "$objects" >"$tmp/data-objects/main.tf"
data_objects_ms="$(time_plan "$tmp/data-objects")"

echo
echo "plan wall time, median of $runs ($(tf_version "$tf"), $(nproc) CPUs)"
printf '  %-70s %8s ms\n' \
  "crosslink_mesh: 1 resource, $sites sites, $tunnels tunnels, $objects objects" "$mesh_ms" \
  "$sites terraform_data (one per site)" "$data_sites_ms" \
  "$objects terraform_data (one per object, as a hand-written module)" "$data_objects_ms"
awk -v m="$mesh_ms" -v d="$data_objects_ms" 'BEGIN { if (m > 0) printf "  per-object resources / mesh: %.1fx\n", d / m }'
