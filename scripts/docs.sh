#!/usr/bin/env bash
# Regenerates docs/ offline: the CLI from bin/.tf-path prints the provider's
# schema (served from ./bin through dev_overrides, no init, no network), then
# tfplugindocs renders docs/ from it plus templates/ and examples/, and
# validates the result.
#
# tfplugindocs replaces only docs/index.md and docs/{resources,data-sources,
# functions,ephemeral-resources,actions,list-resources,state-stores,guides}/;
# any other file in docs/ (docs/design.md, docs/performance.md, ...) is left
# alone and `validate` ignores it. Guides must come from templates/guides/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$CROSSLINK_ROOT"
tf_sanitize_env
need_provider
tfdocs="$CROSSLINK_BIN/tfplugindocs"
[ -x "$tfdocs" ] || die "bin/tfplugindocs is missing: run 'make tools'"
tf="$(tf_path)"

# tfplugindocs accepts a schema keyed only "crosslink" or by the full address
# with the hashicorp namespace on the host below, so the .tf names it in full.
source_addr="registry.terraform.io/hashicorp/crosslink"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tf_dev_config "$tmp/cli.tfrc" "$source_addr"
mkdir "$tmp/schema"
cat >"$tmp/schema/main.tf" <<EOF
terraform {
  required_providers {
    crosslink = { source = "$source_addr" }
  }
}
EOF

say "$(basename "$tf") providers schema -json (dev_overrides, no init)"
if ! (cd "$tmp/schema" && TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" "$tf" providers schema -json >"$tmp/schema.json" 2>"$tmp/schema.err"); then
  cat "$tmp/schema.err" >&2
  die "could not read the provider schema"
fi
grep -q "\"$source_addr\"" "$tmp/schema.json" ||
  { head -c 2000 "$tmp/schema.json" >&2; die "schema.json has no entry for $source_addr"; }

say "tfplugindocs generate --providers-schema schema.json --provider-name crosslink --provider-dir ."
"$tfdocs" generate --providers-schema "$tmp/schema.json" --provider-name crosslink --provider-dir "$CROSSLINK_ROOT"
say "tfplugindocs validate --providers-schema schema.json --provider-name crosslink --provider-dir ."
"$tfdocs" validate --providers-schema "$tmp/schema.json" --provider-name crosslink --provider-dir "$CROSSLINK_ROOT"
say "docs/ regenerated"
