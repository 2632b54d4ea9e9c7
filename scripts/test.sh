#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, builds, type-checks, lints,
# checks formatting, then runs unit, integration and end-to-end tests. Prints one closing line
# "tests: N passed, N failed". Exit code 0 only when everything passed.
set -uo pipefail
cd "$(dirname "$0")/.."
export FORCE_COLOR=0

bash scripts/setup.sh || exit 1

step() {
  printf '\n== %s\n' "$1"
  shift
  "$@"
}
step build npm run -s build || exit 1
step typecheck npm run -s typecheck || exit 1
step lint npm run -s lint || exit 1
step format npx prettier --check --log-level warn . || exit 1

mkdir -p test-output
passed=0
failed=0
status=0
run_mocha() {
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  npx mocha "$@" 2>&1 | tee "test-output/$name.log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -Eo '^ +[0-9]+ passing' "test-output/$name.log" | grep -Eo '[0-9]+' | tail -1)
  f=$(grep -Eo '^ +[0-9]+ failing' "test-output/$name.log" | grep -Eo '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" != 0 ]; then
    status=1
    # A crash before mocha's summary still counts as a failure.
    [ -z "$f" ] && failed=$((failed + 1))
  fi
}
run_mocha unit 'test/unit/**/*.test.ts'
run_mocha integration --timeout 180000 'test/integration/**/*.test.ts'
if [ -f test/e2e/run.sh ] && [ "${HEAPSCOPE_SKIP_E2E:-0}" != 1 ]; then
  printf '\n== e2e\n'
  if bash test/e2e/run.sh 2>&1 | tee test-output/e2e.log; then :; else status=1; fi
  p=$(grep -Eo '^e2e: [0-9]+ passed' test-output/e2e.log | grep -Eo '[0-9]+' | tail -1)
  f=$(grep -Eo '^e2e: [0-9]+ passed, [0-9]+ failed' test-output/e2e.log | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" != 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
fi
echo
echo "tests: $passed passed, $failed failed"
exit $status
