#!/usr/bin/env bash
# Runs the acceptance tests (TestAcc*) in acctest/ and provider/ with TF_ACC=1
# against the CLI recorded in bin/.tf-path (`make tofu`). There is no fallback:
# without a working CLI this fails, it never skips. At the end it lists every
# acceptance test that skipped, with its reason (ACC_FAIL_ON_SKIP=1 makes a
# skip fatal).
#   ACC_RUN      -run pattern (default TestAcc)
#   ACC_TIMEOUT  test binary timeout (default 30m)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$CROSSLINK_ROOT"
tf_sanitize_env

tf="$(tf_path)"
version="$(tf_version "$tf")" || die "'$tf version' failed: the CLI in bin/.tf-path does not run"
export TF_ACC=1
tf_acc_env "$tf"
say "CLI: $tf ($version)"
say "TF_ACC=1 TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH TF_ACC_PROVIDER_NAMESPACE=$TF_ACC_PROVIDER_NAMESPACE TF_ACC_PROVIDER_HOST=${TF_ACC_PROVIDER_HOST:-<unset>}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cmd=(go test ./acctest/... ./provider/... -run "${ACC_RUN:-TestAcc}" -v -count=1 -timeout "${ACC_TIMEOUT:-30m}")
say "${cmd[*]}"
set +e
"${cmd[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Top-level results only (subtests are indented).
passed=$(grep -c '^--- PASS: TestAcc' "$log" || true)
failed=$(grep -c '^--- FAIL: TestAcc' "$log" || true)
skipped=$(grep -c '^--- SKIP: TestAcc' "$log" || true)
echo
say "acceptance tests: $passed passed, $failed failed, $skipped skipped"
if [ "$skipped" -gt 0 ]; then
  say "skipped (with reason):"
  # -v streams t.Skip's message under the test's last === RUN/CONT header.
  awk '/^=== (RUN|CONT|PAUSE|NAME) / { cur = $3; next }
       /^    [^ ].*_test\.go:[0-9]+:/ { msg[cur] = msg[cur] "\n        " substr($0, 5); next }
       /^--- SKIP: TestAcc/ { print "    " $3 msg[$3] }' "$log" >&2
fi
if [ $((passed + failed + skipped)) -eq 0 ] && [ "$status" -eq 0 ]; then
  say "WARNING: no TestAcc* test exists yet in acctest/ or provider/"
fi
[ "$status" -eq 0 ] || die "acceptance tests failed (go test exit status $status)"
if [ "$skipped" -gt 0 ] && [ -n "${ACC_FAIL_ON_SKIP:-}" ]; then
  die "ACC_FAIL_ON_SKIP is set and $skipped acceptance test(s) skipped"
fi
