#!/usr/bin/env bash
# End-to-end tests in a real VS Code: code-server (the same one `npm run try` uses) with the packaged
# .vsix installed, driven by playwright-core in Debian's Chromium (headless). Installs what it needs on
# the first run (cached in .cache/e2e/, keyed on versions; ~2-3 min cold), then builds, packages,
# starts a sandboxed code-server on a free loopback port, runs test/e2e/*.e2e.ts, saves screenshots in
# test-output/e2e/, stops everything (process group) and prints ONE closing line:
#   e2e: N passed, M failed
# Env: HEAPSCOPE_E2E_ONLY=<substring> runs only matching tests; KEEP=1 keeps the sandbox.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
OUT=$REPO/test-output/e2e
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT/summary.json"

finish() {
  local rc=$?
  set +e # install.sh turned on -e; cleanup must run to the end
  if [ -n "${CS_PID:-}" ]; then
    kill -TERM -- -"$CS_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 -- -"$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- -"$CS_PID" 2>/dev/null
  fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "${RUN:-/nonexistent}/tmp"
  if [ -f "$OUT/summary.json" ]; then
    node -e 'const s=require(process.argv[1]);console.log(`e2e: ${s.passed} passed, ${s.failed} failed`);process.exit(s.failed>0||s.passed===0?1:0)' "$OUT/summary.json"
    rc=$?
  else
    echo "e2e: 0 passed, 1 failed"
    rc=1
  fi
  exit $rc
}
trap finish EXIT
trap 'exit 130' INT TERM

# shellcheck source=test/e2e/code-server.sh
source test/e2e/code-server.sh || exit 1
e2e_prepare_extension || exit 1

RUN=$E2E_CACHE/run
e2e_sandbox "$RUN" || exit 1
e2e_workspace "$RUN/workspace" || exit 1
export HEAPSCOPE_E2E_STATE_FILE=$RUN/state.jsonl
e2e_start_code_server "$RUN" || exit 1

E2E_URL="http://127.0.0.1:$CS_PORT/?folder=$RUN/workspace" \
  E2E_WORKSPACE="$RUN/workspace" E2E_STATE_FILE="$HEAPSCOPE_E2E_STATE_FILE" E2E_OUT="$OUT" \
  E2E_SERVER_LOG="$RUN/server.log" \
  node "$REPO/node_modules/tsx/dist/cli.mjs" test/e2e/runner.ts
