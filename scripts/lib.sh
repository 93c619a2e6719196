# shellcheck shell=bash
# Helpers shared by the scripts in this directory and by the GNUmakefile.
# Source it (". scripts/lib.sh"); it defines functions and a few variables only.

CROSSLINK_ROOT="${CROSSLINK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CROSSLINK_BIN="$CROSSLINK_ROOT/bin"
# The CLI must never phone home (the tests run offline).
export CHECKPOINT_DISABLE=1

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# tf_sanitize_env drops TF_CLI_CONFIG_FILE when it names a missing file: tofu
# then prints a warning on stdout, which corrupts every `-json` output.
tf_sanitize_env() {
  if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then
    say "ignoring TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE (no such file)"
    unset TF_CLI_CONFIG_FILE
  fi
}

# tf_path prints the Terraform-compatible CLI recorded in bin/.tf-path by
# `make tofu`, and fails when there is none or it is not executable.
tf_path() {
  local f="$CROSSLINK_BIN/.tf-path" p
  [ -s "$f" ] || die "no CLI recorded in bin/.tf-path: run 'make tofu' first"
  p="$(head -n1 "$f")"
  [ -f "$p" ] && [ -x "$p" ] || die "bin/.tf-path names '$p', which is not an executable file: run 'make tofu'"
  printf '%s\n' "$p"
}

# tf_version prints the first line of `<cli> version` that names the product.
tf_version() {
  local out
  out="$(env -u TF_CLI_CONFIG_FILE "$1" version 2>/dev/null)" || return 1
  printf '%s\n' "$out" | grep -m1 -E '^(OpenTofu|Terraform) v' || return 1
}

# tf_is_tofu succeeds when the CLI at $1 is OpenTofu, not HashiCorp Terraform.
tf_is_tofu() {
  local v
  v="$(tf_version "$1")" || die "'$1 version' failed: is it a Terraform-compatible CLI?"
  case "$v" in OpenTofu*) return 0 ;; *) return 1 ;; esac
}

# tf_acc_env exports what terraform-plugin-testing needs to run against the
# CLI at $1: the binary, the provider namespace, and for OpenTofu the host its
# configurations resolve short provider sources to.
tf_acc_env() {
  export TF_ACC_TERRAFORM_PATH="$1"
  export TF_ACC_PROVIDER_NAMESPACE=hashicorp
  if tf_is_tofu "$1"; then
    export TF_ACC_PROVIDER_HOST=registry.opentofu.org
  else
    unset TF_ACC_PROVIDER_HOST
  fi
}

# tf_dev_config FILE SOURCE... writes a CLI configuration to FILE whose
# dev_overrides serve every given provider source from ./bin (no init needed).
tf_dev_config() {
  local file="$1" src
  shift
  {
    echo 'provider_installation {'
    echo '  dev_overrides {'
    for src in "$@"; do printf '    "%s" = "%s"\n' "$src" "$CROSSLINK_BIN"; done
    echo '  }'
    echo '  direct {}'
    echo '}'
  } >"$file"
}

# need_provider fails unless `make build` has produced the provider binary.
need_provider() {
  [ -x "$CROSSLINK_BIN/terraform-provider-crosslink" ] ||
    die "bin/terraform-provider-crosslink is missing: run 'make build' first"
}

# need_cmd NAME... fails naming the first command that is not on PATH.
need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed (CI installs it in .ci/run; locally: apt-get install $c)"
  done
}

# now_ms prints a monotonic-enough wall clock in milliseconds.
now_ms() { date +%s%3N; }

# median prints the median of its integer arguments.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
