#!/usr/bin/env bash
# `npm run try`: see the extension without installing anything into your own editor. Builds and
# packages the .vsix, starts a real VS Code in the browser (code-server, the same cached install the
# e2e tests use, in .cache/e2e/) on 127.0.0.1 with the extension installed and a workspace holding
# the leaking example (examples/leaky-service), prints the URL, and stays in the foreground until
# Ctrl-C, then stops everything it started.
#   HEAPSCOPE_TRY_PORT=8080 npm run try   fixed port (default: a free one)
# First run: installs Node 24 + code-server (~2-3 min, once). Needs chromium only for the tests, not here.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=test/e2e/code-server.sh
source test/e2e/code-server.sh
e2e_prepare_extension

RUN=$E2E_CACHE/try
cleanup() {
  set +e
  if [ -n "${CS_PID:-}" ]; then
    kill -TERM -- -"$CS_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 -- -"$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- -"$CS_PID" 2>/dev/null
  fi
  rm -rf "$RUN/tmp"
  echo
  echo "try: stopped (code-server and everything it started)."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_sandbox "$RUN"
e2e_workspace "$RUN/workspace"
e2e_start_code_server "$RUN" "${HEAPSCOPE_TRY_PORT:-}"

URL="http://127.0.0.1:$CS_PORT/?folder=$RUN/workspace"
cat <<MSG

  Heapscope is running in VS Code (code-server) at:

    $URL

  Open it in a browser on this machine (loopback only). Then:
    1. open server.js (the leaking example),
    2. F1 → "Heapscope: Start memory session" → "Launch a script…" → server.js
       (or F5 "Debug target" in Run and Debug to see the side bar follow a debug session),
    3. watch the chart, the verdict after ~55 s, and the "leak suspect" CodeLens over recordSession.
  Remote machine? ssh -L $CS_PORT:127.0.0.1:$CS_PORT <host>, then open the same URL locally.
  Logs: $RUN/server.log. Ctrl-C stops everything.

MSG
wait "$CS_PID"
