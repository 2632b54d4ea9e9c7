#!/usr/bin/env bash
# The README's first command: install, build, and run `heapscope check` end to end on the leaking
# example service in examples/leaky-service. Prints the verdict and the suspects; writes the JSON
# report to .heapscope/example-report.json. Exit code is check's (1 = leak found, as expected here).
set -uo pipefail
cd "$(dirname "$0")/.."
HEAPSCOPE_SKIP_APT=1 bash scripts/setup.sh || exit 2
npm run -s build || exit 2
mkdir -p .heapscope
node dist/cli.js check --duration "${DURATION:-60}" --json .heapscope/example-report.json -- node examples/leaky-service/server.js
rc=$?
echo "report: .heapscope/example-report.json (exit code $rc: 0 no leak, 1 leak, 2 error, 3 inconclusive)"
exit $rc
