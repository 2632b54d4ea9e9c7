#!/usr/bin/env bash
# Benchmark (not a test) of the heap snapshot explorer as a user meets it: code-server in Chromium
# (the e2e setup), the explorer opened from the file explorer's context menu. Prints the time from
# the click to the first table on screen and the latency of each interaction (sort, filter, expand a
# constructor, next page, retainers tree, ignore a retainer, find by @id, containment), measured in
# the browser from the action to the rows on screen, and the slowest round trip of each query.
# Usage: bash bench/explorer/run.sh [big.heapsnapshot]
#   With a file, it is opened too (after the e2e's small snapshot): open to first table, expanding
#   its largest class, an object's retainers, a sort.
# Writes bench/results/explorer.json (a copy of test-output/e2e/explorer-timings.json).
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ $# -ge 1 ]; then
  [ -f "$1" ] || { echo "bench/explorer: no file $1" >&2; exit 2; }
  export HEAPSCOPE_EXPLORER_BENCH_FILE
  HEAPSCOPE_EXPLORER_BENCH_FILE=$(realpath "$1")
fi
figures=test-output/e2e/explorer-timings.json
rm -f "$figures"
HEAPSCOPE_E2E_ONLY='snapshot explorer' bash test/e2e/run.sh
rc=$?
if [ -f "$figures" ]; then
  mkdir -p bench/results
  cp "$figures" bench/results/explorer.json
  node -e '
    const f = require(require("path").resolve(process.argv[1]));
    console.log(`explorer bench: ${f.file} (${f.fileBytes} bytes, ${f.nodeCount} nodes), parsed in ${f.parseMs} ms, analysed in ${f.analyseMs} ms; first table ${f.firstTableInWebviewMs} ms after the webview started`);
    for (const t of f.interactions) console.log(`  ${t.what}: ${t.ms} ms${t.inViewMs === undefined ? "" : ` (in the webview ${t.inViewMs} ms, ${t.addedNodes} nodes added)`}`);
    for (const [kind, r] of Object.entries(f.roundTripsMs)) console.log(`  query ${kind}: ${r.count}×, slowest ${r.max} ms (${r.hostMax} ms in the host and worker, ${r.workerMax} ms of it in the worker)`);
  ' "$figures"
fi
exit $rc
